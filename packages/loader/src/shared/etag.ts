// redshift-driver.ts still imports the helper from here; the Redshift driver split (issue 15 item 5,
// worked on elsewhere) imports it from @lakeload/commons and deletes this file.
export { unquoteEtag } from '@lakeload/commons';
