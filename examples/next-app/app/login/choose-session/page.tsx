import type { Metadata } from 'next';
import { ChooseSession } from './ChooseSession';

export const metadata: Metadata = { title: 'Too many devices' };

export default function ChooseSessionPage() {
  return (
    <div className="login">
      <section className="card login-card">
        <ChooseSession />
      </section>
    </div>
  );
}
