// The workspace's architecture checks, run by `npm test` (the root `lint:root` task):
//   1. no import cycle between modules of a package or between packages (a type-only import is
//      no edge: it is erased; a dynamic import() is one: it runs);
//   2. knip: no unused file, export or dependency;
//   3. the public API of every package (each subpath of its package.json `exports`) matches its
//      checked-in report docs/api/<package>.api.txt: a change of the API is reviewed in that diff.
// Every finding fails the run: there is no list of tolerated ones. A dependency that only orders
// builds is a turbo `dependsOn` edge (see infra/turbo.json), not a package.json entry.
//   node scripts/architecture.mjs            check
//   node scripts/architecture.mjs --update   rewrite the API reports (review the diff)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');
const workspaces = [
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name)),
  join(root, 'infra'),
].filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src')));
const manifests = new Map(
  workspaces.map((dir) => [JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, dir]),
);
const rel = (path) => relative(root, path).split('\\').join('/');

function sources(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Runtime imports of one file: static (not `import type`/`export type`), re-exports, import(). */
function runtimeImports(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) found.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly)
      found.push(node.moduleSpecifier.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Strongly connected components of more than one node (or a self-loop): the cycles. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const connect = (node) => {
    state.set(node, { index, low: index, onStack: true });
    index++;
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!state.has(next)) {
        connect(next);
        state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
      } else if (state.get(next).onStack)
        state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
    }
    if (state.get(node).low === state.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) connect(node);
  return found.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function importCycles() {
  const modules = new Map();
  const packages = new Map();
  for (const dir of workspaces) {
    const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
    packages.set(name, packages.get(name) ?? new Set());
    for (const file of sources(join(dir, 'src'))) {
      const edges = new Set();
      for (const specifier of runtimeImports(file)) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
          if (existsSync(target)) edges.add(rel(target));
        } else {
          const other = specifier.match(/^(@lakeload\/[^/]+)/)?.[1];
          if (other && other !== name && manifests.has(other)) packages.get(name).add(other);
        }
      }
      modules.set(rel(file), edges);
    }
  }
  return [
    ...cycles(packages).map((cycle) => `cycle packages: ${cycle.join(' -> ')}`),
    ...cycles(modules).map((cycle) => `cycle modules: ${cycle.join(' -> ')}`),
  ];
}

function knip() {
  const run = spawnSync('pnpm', ['exec', 'knip', '--no-progress', '--no-exit-code', '--reporter', 'json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`knip failed:\n${run.stderr}`);
  const findings = [];
  for (const issue of JSON.parse(run.stdout).issues) {
    for (const [kind, list] of Object.entries(issue)) {
      if (!Array.isArray(list)) continue;
      for (const item of list)
        findings.push(`knip ${kind}: ${issue.file}${item.name ? ` ${item.name}` : ''}`);
    }
  }
  return findings.sort();
}

/** A declaration as its API shows it: its text without function bodies or initialisers of classes. */
function signature(node, source) {
  const text = (n) => n.getText(source);
  const head = (n, body) =>
    body ? source.text.slice(n.getStart(source), body.getStart(source)).trim() : text(n);
  if (ts.isFunctionDeclaration(node)) return head(node, node.body).replace(/\s+/g, ' ');
  if (ts.isClassDeclaration(node)) {
    const members = node.members
      .filter((member) => {
        const modifiers = ts.getCombinedModifierFlags(member);
        const hidden = modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected);
        return !hidden && !(member.name && ts.isPrivateIdentifier(member.name));
      })
      .map((member) => {
        if (ts.isPropertyDeclaration(member)) {
          const { initializer } = member;
          const shown = initializer
            ? source.text.slice(member.getStart(source), initializer.getStart(source))
            : text(member);
          return shown.replace(/\s*=?\s*$/, '').replace(/;$/, '');
        }
        return head(member, member.body).replace(/;$/, '');
      })
      .map((line) => `  ${line.replace(/\s+/g, ' ')}`);
    const heritage = node.heritageClauses?.map(text).join(' ') ?? '';
    return [`class ${node.name?.text ?? 'default'}${heritage ? ` ${heritage}` : ''} {`, ...members, '}'].join(
      '\n',
    );
  }
  if (ts.isVariableDeclaration(node))
    return `const ${node.name.getText(source)}${node.type ? `: ${text(node.type).replace(/\s+/g, ' ')}` : ''}`;
  return text(node)
    .replace(/\/\*\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function apiReports() {
  const entries = [];
  for (const dir of workspaces) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const built = typeof target === 'string' ? target : target.default;
      const file = join(dir, built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      if (existsSync(file)) entries.push({ name: manifest.name, subpath, file });
    }
  }
  // Workspace imports resolve to their sources, so the reports never depend on what is built.
  const paths = Object.fromEntries(
    entries.map((entry) => [`${entry.name}${entry.subpath.slice(1)}`, [entry.file]]),
  );
  const program = ts.createProgram(
    entries.map((entry) => entry.file),
    {
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      paths,
    },
  );
  const checker = program.getTypeChecker();
  const reports = new Map();
  for (const entry of entries) {
    const source = program.getSourceFile(entry.file);
    const module = checker.getSymbolAtLocation(source);
    const lines = [];
    for (const exported of checker.getExportsOfModule(module).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const shown = (symbol.declarations ?? []).map((declaration) => {
        const text = signature(declaration, declaration.getSourceFile());
        return exported.name === symbol.name ? text : `${exported.name} = ${text}`;
      });
      lines.push(...(shown.length > 0 ? shown : [`${exported.name}`]));
    }
    const report = reports.get(entry.name) ?? [];
    report.push(`## ${entry.subpath}`, '', ...lines, '');
    reports.set(entry.name, report);
  }
  const findings = [];
  const folder = join(root, 'docs', 'api');
  mkdirSync(folder, { recursive: true });
  for (const [name, lines] of [...reports].sort()) {
    const path = join(folder, `${name.replace('@lakeload/', '')}.api.txt`);
    const text = [
      `# ${name}: the public API, one declaration per export (checked by scripts/architecture.mjs)`,
      '',
      ...lines,
    ].join('\n');
    if (update) writeFileSync(path, text);
    else if (!existsSync(path) || readFileSync(path, 'utf8') !== text)
      findings.push(
        `api report differs: ${rel(path)} (review, then: node scripts/architecture.mjs --update)`,
      );
  }
  return findings;
}

const findings = [...importCycles(), ...knip(), ...apiReports()];
for (const finding of findings) console.error(finding);
if (findings.length > 0) process.exit(1);
console.log('architecture: no import cycle, no unused code or dependency, API reports unchanged');
