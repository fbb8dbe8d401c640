// Every package's errors share the one base the CLI prints (message, exit 1; option errors exit 2):
// none extends the loader's base only to be printed.
import { ConvertError, ConvertOptionsError } from '@lakeload/convert';
import { DashboardError } from '@lakeload/dashboard';
import { LakeloadError, LoaderError } from '@lakeload/loader';
import { GenerateOptionsError, OrdersError } from '@lakeload/orders';
import { RehearsalError } from '@lakeload/rehearsal';
import { expect, it } from 'vitest';

it('ConvertError, OrdersError, DashboardError and RehearsalError are terminal LakeloadErrors with tips', () => {
  for (const Kind of [
    ConvertError,
    ConvertOptionsError,
    OrdersError,
    GenerateOptionsError,
    DashboardError,
    RehearsalError,
  ]) {
    const error = new Kind('x');
    expect(error, Kind.name).toBeInstanceOf(LakeloadError);
    expect(error.retryable, Kind.name).toBe(false);
    expect(error.tip, Kind.name).not.toBe(LakeloadError.tip);
  }
  expect(new DashboardError('x')).not.toBeInstanceOf(LoaderError);
  expect(new RehearsalError('x')).not.toBeInstanceOf(LoaderError);
});
