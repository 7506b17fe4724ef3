import type { Metadata } from 'next';
import { DEAL_STAGES, DEALS, money } from '@/lib/crm-data';
import { requireSession } from '@/lib/require-session';

export const metadata: Metadata = { title: 'Deals' };

export default async function DealsPage() {
  await requireSession('/deals');
  return (
    <>
      <h1>Deals</h1>
      <div className="pipeline">
        {DEAL_STAGES.map((stage) => (
          <section key={stage} className="card pipeline-column" aria-label={stage}>
            <h2>{stage}</h2>
            <ul className="list">
              {DEALS.filter((d) => d.stage === stage).map((deal) => (
                <li key={deal.id} className="deal">
                  <strong>{deal.title}</strong>
                  <span className="muted">{deal.company}</span>
                  <span>
                    {money.format(deal.value)} · closes {deal.closes}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </>
  );
}
