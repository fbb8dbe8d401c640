// The driver's own SDK client, built with no endpoint option, finds a custom Data API endpoint
// through AWS_ENDPOINT_URL_REDSHIFT_DATA alone, and the real SDK (de)serializes what the driver
// sends and reads. The endpoint here is a small HTTP server speaking the Data API's JSON protocol
// (AWS cannot be reached from here; the rehearsal package's endpoint runs the SQL on PostgreSQL).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openWarehouse } from '../../src/warehouse/registry.js';
import { golden } from '../golden-sql.js';

const requests: { target: string; body: Record<string, unknown> }[] = [];
let server: Server;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target']).replace('RedshiftData.', '');
      const body = JSON.parse(text) as Record<string, unknown>;
      requests.push({ target, body });
      const answers: Record<string, unknown> = {
        ExecuteStatement: { Id: '11111111-2222-3333-4444-555555555555', CreatedAt: 1_764_547_200 },
        DescribeStatement: { Id: body.Id, Status: 'FINISHED', HasResultSet: true, ResultRows: 2 },
        GetStatementResult: {
          ColumnMetadata: [{ name: 'column_name' }, { name: 'data_type' }, { name: 'is_nullable' }],
          Records: [
            [{ stringValue: 'order_id' }, { stringValue: 'bigint' }, { stringValue: 'NO' }],
            [{ stringValue: 'lines' }, { stringValue: 'super' }, { stringValue: 'YES' }],
          ],
          TotalNumRows: 2,
        },
      };
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(JSON.stringify(answers[target] ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_REDSHIFT_DATA: `http://127.0.0.1:${port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});

afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
});

it('reaches the endpoint named by AWS_ENDPOINT_URL_REDSHIFT_DATA and reads the table through information_schema', async () => {
  const driver = await openWarehouse(
    'redshift-data://workgroup/analytics/dev?secret-arn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:s&schema=sales',
  );
  expect(await driver.tableColumns('orders')).toEqual([
    { name: 'order_id', type: { kind: 'int', bits: 64, signed: true }, nullable: false },
    { name: 'lines', type: { kind: 'nested', shape: 'struct' }, nullable: true },
  ]);
  await driver.close();
  expect(requests.map((request) => request.target)).toEqual([
    'ExecuteStatement',
    'DescribeStatement',
    'GetStatementResult',
  ]);
  // The SDK fills in ClientToken itself, which makes its own retries of the call idempotent.
  expect(requests[0]?.body.ClientToken).toMatch(/^[0-9a-f-]{36}$/);
  expect(requests[0]?.body).toEqual({
    ClientToken: requests[0]?.body.ClientToken,
    WorkgroupName: 'analytics',
    Database: 'dev',
    SecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s',
    Sql: golden('introspect/redshift', 'columns of a named schema'),
  });
});
