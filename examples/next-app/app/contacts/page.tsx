import type { Metadata } from 'next';
import { CONTACTS } from '@/lib/crm-data';
import { requireSession } from '@/lib/require-session';

export const metadata: Metadata = { title: 'Contacts' };

export default async function ContactsPage() {
  await requireSession('/contacts');
  return (
    <>
      <h1>Contacts</h1>
      <section className="card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Company</th>
              <th scope="col">Email</th>
              <th scope="col">Stage</th>
              <th scope="col">Owner</th>
            </tr>
          </thead>
          <tbody>
            {CONTACTS.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{c.company}</td>
                <td>{c.email}</td>
                <td>
                  <span className={`badge badge-${c.stage.toLowerCase()}`}>{c.stage}</span>
                </td>
                <td>{c.owner}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
