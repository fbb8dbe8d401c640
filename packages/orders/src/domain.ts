// The sample shop: a product catalog and a customer pool, both derived from the seed so that nothing
// proportional to the order count is held in memory.
import { Random } from './random.js';
import { CUSTOMER_SEGMENTS, type CustomerRecord, type CustomerSegment } from './record.js';

export interface Product {
  sku: string;
  name: string;
  category: string;
  unitPriceCents: number;
}

interface Market {
  country: string;
  currency: string;
  /** VAT or sales tax in basis points. */
  taxBasisPoints: number;
  emailDomain: string;
}

const MARKETS: readonly (readonly [Market, number])[] = [
  [{ country: 'US', currency: 'USD', taxBasisPoints: 725, emailDomain: 'example.com' }, 30],
  [{ country: 'DE', currency: 'EUR', taxBasisPoints: 1900, emailDomain: 'example.de' }, 15],
  [{ country: 'GB', currency: 'GBP', taxBasisPoints: 2000, emailDomain: 'example.co.uk' }, 12],
  [{ country: 'FR', currency: 'EUR', taxBasisPoints: 2000, emailDomain: 'example.fr' }, 10],
  [{ country: 'NL', currency: 'EUR', taxBasisPoints: 2100, emailDomain: 'example.nl' }, 6],
  [{ country: 'ES', currency: 'EUR', taxBasisPoints: 2100, emailDomain: 'example.es' }, 6],
  [{ country: 'CA', currency: 'CAD', taxBasisPoints: 500, emailDomain: 'example.ca' }, 8],
  [{ country: 'AU', currency: 'AUD', taxBasisPoints: 1000, emailDomain: 'example.com.au' }, 7],
  [{ country: 'SE', currency: 'SEK', taxBasisPoints: 2500, emailDomain: 'example.se' }, 6],
];

const CATEGORIES: readonly (readonly [string, readonly string[], number, number])[] = [
  [
    'Electronics',
    ['Wireless Earbuds', 'USB-C Hub', 'Mechanical Keyboard', 'Webcam', 'Power Bank'],
    1999,
    24999,
  ],
  [
    'Home & Kitchen',
    ['Chef Knife', 'French Press', 'Cast Iron Pan', 'Spice Rack', 'Linen Towels'],
    899,
    12999,
  ],
  [
    'Books',
    ['Data Pipelines Pocket Guide', 'The SQL Cookbook', 'Field Notes', 'A Short History of Maps'],
    799,
    5999,
  ],
  ['Sports', ['Yoga Mat', 'Running Belt', 'Water Bottle', 'Resistance Bands', 'Climbing Chalk'], 599, 8999],
  ['Beauty', ['Face Serum', 'Lip Balm', 'Shampoo Bar', 'Hand Cream'], 399, 4999],
  ['Toys', ['Puzzle, 1000 pieces', 'Wooden Train', 'Building Blocks', 'Card Game'], 999, 6999],
  ['Garden', ['Pruning Shears', 'Seed Kit', 'Watering Can', 'Plant Pot "Terra"'], 499, 7999],
];
const VARIANTS = ['', ' Pro', ' Mini', ' Plus', ' – Blue', ' – Black', ' (2-pack)', ' XL'];

export function buildCatalog(random: Random, size = 240): Product[] {
  const products: Product[] = [];
  for (let i = 0; i < size; i++) {
    const [category, names, minCents, maxCents] = random.pick(CATEGORIES);
    const name = `${random.pick(names)}${random.pick(VARIANTS)}`;
    // Prices end in .99/.49/.00 the way shops price them.
    const whole = Math.floor(random.int(minCents, maxCents) / 100);
    const cents = whole * 100 + random.pick([99, 49, 0, 95]);
    products.push({ sku: `SKU-${String(10001 + i)}`, name, category, unitPriceCents: cents });
  }
  return products;
}

const FIRST_NAMES = [
  'Ana',
  'Ben',
  'Chloé',
  'Daniel',
  'Elif',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kavya',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Pedro',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Zoë',
];
const LAST_NAMES = [
  'Andersson',
  'Becker',
  "O'Brien",
  'Dubois',
  'Evans',
  'García',
  'Hansen',
  'Ivanova',
  'Jansen',
  'Kim',
  'López',
  'Müller',
  'Nakamura',
  'Okafor',
  'Patel',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Van der Berg',
  'Walsh',
];
const SEGMENT_WEIGHTS: readonly (readonly [CustomerSegment, number])[] = [
  [CUSTOMER_SEGMENTS[0], 75],
  [CUSTOMER_SEGMENTS[1], 18],
  [CUSTOMER_SEGMENTS[2], 7],
];

export interface Customer {
  record: CustomerRecord;
  market: Market;
}

/** Customer number `index` of the pool; the same seed and index always give the same customer. */
export function customerAt(seed: string, index: number): Customer {
  const random = new Random(`${seed}:customer:${index}`);
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const market = random.weighted(MARKETS);
  const local = `${first}.${last}`
    .normalize('NFD')
    .replace(/[^A-Za-z.]/g, '')
    .toLowerCase();
  return {
    market,
    record: {
      customer_id: 5001 + index,
      name: `${first} ${last}`,
      email: `${local}${index}@${market.emailDomain}`,
      country: market.country,
      segment: random.weighted(SEGMENT_WEIGHTS),
    },
  };
}
