import Link from 'next/link';
import { CONTACTS, DEALS, money } from '@/lib/crm-data';
import { requireSession } from '@/lib/require-session';

export default async function DashboardPage() {
  const session = await requireSession('/');
  const open = DEALS.filter((d) => d.stage !== 'Won');
  const won = DEALS.filter((d) => d.stage === 'Won');
  const firstName = session.user?.name?.split(' ')[0] ?? 'there';

  return (
    <>
      <h1>Good to see you, {firstName}</h1>
      <div className="kpis">
        <div className="card kpi">
          <span className="muted">Open pipeline</span>
          <strong>{money.format(open.reduce((sum, d) => sum + d.value, 0))}</strong>
        </div>
        <div className="card kpi">
          <span className="muted">Won this quarter</span>
          <strong>{money.format(won.reduce((sum, d) => sum + d.value, 0))}</strong>
        </div>
        <div className="card kpi">
          <span className="muted">Contacts</span>
          <strong>{CONTACTS.length}</strong>
        </div>
      </div>
      <section className="card">
        <h2>Deals closing soon</h2>
        <ul className="list">
          {open
            .slice()
            .sort((a, b) => a.closes.localeCompare(b.closes))
            .map((deal) => (
              <li key={deal.id} className="list-row">
                <span>
                  <strong>{deal.title}</strong>
                  <span className="muted"> · {deal.company}</span>
                </span>
                <span className={`badge badge-${deal.stage.toLowerCase()}`}>{deal.stage}</span>
                <span>{money.format(deal.value)}</span>
              </li>
            ))}
        </ul>
      </section>
      <section className="card callout">
        <h2>Where are you signed in?</h2>
        <p>
          Every sign-in is a tracked session. See your devices, and sign out the ones you do not
          recognise, in <Link href="/settings/sessions">Devices</Link>.
        </p>
      </section>
    </>
  );
}
