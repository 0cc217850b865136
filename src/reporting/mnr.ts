/**
 * The WeProtect Model National Response: 21 capabilities in 6 groups, each self-assessed in one
 * of four maturity phases with evidence notes. The capability names summarise the public model
 * (REFERENCE.md §1); the phase names are this project's labels for the four phases.
 */
export interface Capability {
  id: number;
  group: string;
  name: string;
}

export const MNR_GROUPS = ['Policy and governance', 'Criminal justice', 'Victim', 'Societal', 'Industry', 'Media and communications'] as const;

const G = MNR_GROUPS;
export const MNR_CAPABILITIES: readonly Capability[] = [
  { id: 1, group: G[0], name: 'Leadership: an accountable national governance and oversight committee' },
  { id: 2, group: G[0], name: 'Research, analysis and monitoring' },
  { id: 3, group: G[0], name: 'Legislation' },
  { id: 4, group: G[1], name: 'Dedicated law enforcement' },
  { id: 5, group: G[1], name: 'Judiciary and prosecutors' },
  { id: 6, group: G[1], name: 'Offender management process' },
  { id: 7, group: G[1], name: 'Access to image databases' },
  { id: 8, group: G[2], name: 'End-to-end support for victims' },
  { id: 9, group: G[2], name: 'Child protection workforce' },
  { id: 10, group: G[2], name: 'Compensation, remedies and complaints' },
  { id: 11, group: G[2], name: 'Child helpline' },
  { id: 12, group: G[3], name: 'Hotline for reporting abuse material' },
  { id: 13, group: G[3], name: 'Education programme' },
  { id: 14, group: G[3], name: 'Child participation' },
  { id: 15, group: G[3], name: 'Offender support systems' },
  { id: 16, group: G[4], name: 'Notice and takedown procedures' },
  { id: 17, group: G[4], name: 'Reporting of abuse material by industry' },
  { id: 18, group: G[4], name: 'Innovative solution development' },
  { id: 19, group: G[4], name: 'Corporate social responsibility' },
  { id: 20, group: G[5], name: 'Ethical and informed media reporting' },
  { id: 21, group: G[5], name: 'Universal terminology' },
];

/** Phase 1…4. */
export const MNR_PHASES = ['Initial', 'Developing', 'Established', 'Advanced'] as const;
