/** Languages every persona and label is written in. */
export type Lang = 'ko' | 'en';
export const LANGS: readonly Lang[] = ['ko', 'en'];

export type Phase = 'divergence' | 'convergence' | 'planning';
export const PHASES: readonly Phase[] = ['divergence', 'convergence', 'planning'];

/** The seed's four personality axes (section 2.1). */
export interface Personality {
  thinking: 'optimistic' | 'cautious';
  decision: 'intuitive' | 'analytical';
  communication: 'challenger' | 'supporter';
  action: 'innovative' | 'pragmatic';
}

export type Localized = Record<Lang, string>;

/** Persona groups from the seed's tables. */
export type PersonaGroup = 'technical' | 'design_product' | 'business_marketing' | 'convergence' | 'planning';

/** Plan sections a planning persona writes (seed 2.4, "담당 영역"). */
export type PlanSection = 'prd' | 'architecture' | 'user_research' | 'business_model' | 'project_plan';

export interface Persona {
  id: string;
  name: string;
  /** @mention handle: ASCII, unique, safe as a Discord webhook username. */
  handle: string;
  role: Localized;
  group: PersonaGroup;
  phase: Phase;
  personality: Personality;
  model: string;
  /** UI colour, `#rrggbb`. */
  color: string;
  expertise: string[];
  catchphrase: Localized;
  /** The seed's system_prompt_template: how this persona evaluates ideas. */
  guidance: Localized;
  /** Planning personas: the plan section they own. */
  planSection?: PlanSection;
  /** Custom personas may bring their own avatar instead of the generated one. */
  avatarUrl?: string;
}
