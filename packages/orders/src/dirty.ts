// Realistic bad records, injected on purpose so that validation and rejects can be exercised. Every
// mutation here must make the record invalid under the order contract; the converter's tests check
// that each one is rejected.
import type { Random } from './random.js';
import type { OrderRecord, OutputFormat } from './record.js';

export const DIRTY_KINDS = [
  'missing_id',
  'bad_quantity',
  'bad_date',
  'bad_price',
  'wrong_type',
  'truncated',
  'duplicate',
] as const;
export type DirtyKind = (typeof DIRTY_KINDS)[number];

/** A JSON array cannot hold a truncated element and stay an array, so that kind is JSONL/CSV only. */
export function dirtyKindsFor(format: OutputFormat): readonly DirtyKind[] {
  return format === 'json' ? DIRTY_KINDS.filter((kind) => kind !== 'truncated') : DIRTY_KINDS;
}

/** Kinds that change values; `truncated` and `duplicate` act on the written text instead. */
export type ValueDirtyKind = Exclude<DirtyKind, 'truncated' | 'duplicate'>;

type Loose = Record<string, unknown> & {
  customer: Record<string, unknown>;
  items: Record<string, unknown>[];
};

function mutate(record: OrderRecord): { loose: Loose; item: (random: Random) => Record<string, unknown> } {
  const loose = structuredClone(record) as unknown as Loose;
  return { loose, item: (random) => random.pick(loose.items) };
}

export function corruptValues(
  record: OrderRecord,
  kind: ValueDirtyKind,
  format: OutputFormat,
  random: Random,
): Record<string, unknown> {
  const { loose, item } = mutate(record);
  const csv = format === 'csv';
  switch (kind) {
    case 'missing_id': {
      const variant = random.int(0, 4);
      if (variant === 0) delete loose.order_id;
      else if (variant === 1) loose.order_id = '';
      else if (variant === 2) loose.order_id = null;
      else if (variant === 3) loose.customer.customer_id = null;
      else item(random).sku = '';
      break;
    }
    case 'bad_quantity': {
      const target = item(random);
      const quantity = Number(target.quantity);
      target.quantity = random.pick<unknown>([-quantity, 0, 'two', `${quantity} pcs`]);
      break;
    }
    case 'bad_date': {
      const field = random.pick(['order_date', 'updated_at'] as const);
      const iso = String(loose[field]);
      const [date = '', time = ''] = iso.split('T');
      const [year, month, day] = date.split('-');
      loose[field] = random.pick([
        `${year}-${month}-32T${time}`,
        `${year}-02-30T${time}`,
        `${day}/${month}/${year} ${time.slice(0, 5)}`,
        'N/A',
        '',
      ]);
      break;
    }
    case 'bad_price': {
      const target = item(random);
      const price = String(target.unit_price);
      target.unit_price = random.pick([
        `${price}9`,
        `$${price}`,
        `${price.replace('.', ',')} €`,
        `EUR ${price}`,
      ]);
      break;
    }
    case 'wrong_type': {
      const variant = random.int(0, 3);
      if (variant === 0) loose.is_gift = csv ? 'maybe' : 'yes';
      else if (variant === 1) {
        const target = item(random);
        target.quantity = csv ? '2.5' : String(target.quantity);
      } else if (variant === 2) item(random).line_number = csv ? 'first' : 1.5;
      else if (csv) loose.customer.customer_id = `C-${String(loose.customer.customer_id)}`;
      else loose.items = { ...loose.items } as unknown as Record<string, unknown>[];
      break;
    }
  }
  return loose;
}

/** Cuts a written line short, the way an interrupted export or a partial upload leaves it. */
export function truncateLine(line: string, format: OutputFormat, random: Random): string {
  if (format !== 'csv') return line.slice(0, random.int(Math.min(12, line.length - 2), line.length - 2));
  // In CSV the row keeps order_id, order_date and updated_at, so it still names its order version,
  // and is cut before any quote, so a reader sees a short row rather than an open quoted field
  // that would swallow the lines after it.
  let keep = 0;
  for (let fields = 0; fields < 3; fields++) keep = line.indexOf(',', keep) + 1;
  const quote = line.indexOf('"');
  const limit = quote === -1 ? line.length - 2 : quote;
  return line.slice(0, random.int(keep, Math.max(keep, limit)));
}
