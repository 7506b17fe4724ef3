// Static sample data: the CRM is scenery around the session features.

export interface Contact {
  id: string;
  name: string;
  company: string;
  email: string;
  stage: 'Lead' | 'Qualified' | 'Customer';
  owner: string;
}

export interface Deal {
  id: string;
  title: string;
  company: string;
  value: number;
  stage: 'Discovery' | 'Proposal' | 'Negotiation' | 'Won';
  closes: string;
}

export const CONTACTS: readonly Contact[] = [
  {
    id: 'c1',
    name: 'Maya Lindqvist',
    company: 'Fjord Logistics',
    email: 'maya@fjord.example',
    stage: 'Customer',
    owner: 'Alice',
  },
  {
    id: 'c2',
    name: 'Tomás Ibarra',
    company: 'Solar Norte',
    email: 'tomas@solarnorte.example',
    stage: 'Qualified',
    owner: 'Bob',
  },
  {
    id: 'c3',
    name: 'Priya Raman',
    company: 'Kestrel Health',
    email: 'priya@kestrel.example',
    stage: 'Lead',
    owner: 'Alice',
  },
  {
    id: 'c4',
    name: 'Jonas Weber',
    company: 'Weber & Söhne',
    email: 'jonas@weber.example',
    stage: 'Customer',
    owner: 'Bob',
  },
  {
    id: 'c5',
    name: 'Aiko Tanaka',
    company: 'Blue Harbor Foods',
    email: 'aiko@blueharbor.example',
    stage: 'Qualified',
    owner: 'Alice',
  },
  {
    id: 'c6',
    name: 'Samuel Osei',
    company: 'Gold Coast Textiles',
    email: 'samuel@gct.example',
    stage: 'Lead',
    owner: 'Bob',
  },
];

export const DEALS: readonly Deal[] = [
  {
    id: 'd1',
    title: 'Fleet tracking rollout',
    company: 'Fjord Logistics',
    value: 48_000,
    stage: 'Won',
    closes: '2026-10-02',
  },
  {
    id: 'd2',
    title: 'Panel monitoring pilot',
    company: 'Solar Norte',
    value: 22_500,
    stage: 'Proposal',
    closes: '2026-12-15',
  },
  {
    id: 'd3',
    title: 'Clinic scheduling suite',
    company: 'Kestrel Health',
    value: 61_000,
    stage: 'Discovery',
    closes: '2027-02-01',
  },
  {
    id: 'd4',
    title: 'Support plan renewal',
    company: 'Weber & Söhne',
    value: 12_000,
    stage: 'Negotiation',
    closes: '2026-12-05',
  },
  {
    id: 'd5',
    title: 'Cold-chain sensors',
    company: 'Blue Harbor Foods',
    value: 35_750,
    stage: 'Proposal',
    closes: '2027-01-20',
  },
];

export const DEAL_STAGES: readonly Deal['stage'][] = [
  'Discovery',
  'Proposal',
  'Negotiation',
  'Won',
];

export const money = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
