/**
 * npm run seed                         the demo co-ops, products and accounts
 * npm run seed -- --products 10000     plus a large synthetic catalogue (200 co-ops by default)
 * npm run seed -- --products 10000 --coops 50
 * Idempotent: run it as often as you like.
 */
import { parseArgs } from 'node:util';
import { bootstrap } from '../src/platform/bootstrap';
import { seedDemo, seedLarge } from '../src/demo/seed';

async function main() {
  const { values } = parseArgs({ options: { products: { type: 'string' }, coops: { type: 'string', default: '200' } } });
  const products = values.products ? Number(values.products) : 0;
  const coops = Number(values.coops);
  if (!Number.isInteger(products) || products < 0 || !Number.isInteger(coops) || coops < 1) {
    console.error('usage: npm run seed -- [--products N] [--coops N]');
    process.exit(2);
  }
  const rt = await bootstrap();
  try {
    await seedDemo(rt.logger, rt.config);
    if (products > 0) await seedLarge(rt.logger, { products, coops });
  } finally {
    await rt.close();
  }
}

void main();
