import assert from 'node:assert/strict';
import { loadConfig } from '../../src/platform/config';
import { welcomeLines } from '../../src/platform/welcome';

describe('the start-up summary', () => {
  const accounts = [
    { role: 'admin', email: 'admin@filiera.test', password: 'a' },
    { role: 'buyer', email: 'cliente@filiera.test', password: 'b' },
  ];

  it('says where to open the shop, where the mail goes, the demo accounts and how to stop', () => {
    const lines = welcomeLines(loadConfig({ NODE_ENV: 'development', PORT: '3000' }), { demoAccounts: accounts });
    assert.deepEqual(lines, [
      'Filiera is open at http://localhost:3000',
      '  also at http://127.0.0.1:3000; from a phone on your network: HOST=0.0.0.0 npm start',
      'Mail goes to the dev mailbox: http://localhost:3000/dev/mailbox (on this machine)',
      'Payments: demo provider, no card needed (set STRIPE_SECRET_KEY for Stripe)',
      'Demo accounts:',
      '  admin  admin@filiera.test / a',
      '  buyer  cliente@filiera.test / b',
      'Stop with Ctrl-C.',
    ]);
  });

  it('lists the LAN addresses when the shop listens on every interface', () => {
    const lines = welcomeLines(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0', PORT: '3000' }), { lan: ['192.168.1.20'] });
    assert.ok(lines.includes('  on your network: http://192.168.1.20:3000'));
  });

  it('names neither a mailbox nor other addresses when mail and the address are configured', () => {
    const config = loadConfig({
      NODE_ENV: 'development',
      PUBLIC_URL: 'https://shop.example',
      SMTP_URL: 'smtp://mail.example',
      STRIPE_SECRET_KEY: 'sk_test_123',
    });
    assert.deepEqual(welcomeLines(config), ['Filiera is open at https://shop.example', 'Stop with Ctrl-C.']);
  });

  it('defaults to human lines in development and JSON elsewhere, unless LOG_FORMAT says', () => {
    assert.equal(loadConfig({ NODE_ENV: 'development' }).logFormat, 'pretty');
    assert.equal(loadConfig({ NODE_ENV: 'test' }).logFormat, 'json');
    assert.equal(loadConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.equal(loadConfig({ NODE_ENV: 'test', LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  });
});
