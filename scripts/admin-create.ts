/**
 * npm run admin:create -- --email someone@example.org [--name "Full Name"]
 * Makes that user an admin, creating the account if it does not exist. The
 * password of a new account is read from ADMIN_PASSWORD or generated and printed once.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { bootstrap } from '../src/platform/bootstrap';
import { UserModel } from '../src/accounts/user.model';
import { hashPassword } from '../src/accounts/password';

async function main() {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } });
  const email = values.email?.trim().toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    console.error('usage: npm run admin:create -- --email someone@example.org [--name "Full Name"]');
    process.exit(2);
  }
  const rt = await bootstrap({ logLevel: 'warn' });
  try {
    const user = await UserModel.findOne({ email });
    if (user) {
      user.isAdmin = true;
      user.rightsVersion = (user.rightsVersion ?? 0) + 1;
      await user.save();
      console.log(`${email} is now an admin.`);
    } else {
      const password = process.env.ADMIN_PASSWORD || randomBytes(12).toString('base64url');
      await UserModel.create({
        email,
        name: values.name ?? email.split('@')[0],
        passwordHash: await hashPassword(password),
        isAdmin: true,
        emailVerifiedAt: new Date(),
        acceptedTermsAt: new Date(),
      });
      console.log(`Admin ${email} created.${process.env.ADMIN_PASSWORD ? '' : ` Password: ${password}`}`);
    }
  } finally {
    await rt.close();
  }
}

void main();
