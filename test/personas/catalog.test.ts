import { describe, expect, it } from 'vitest';
import {
  AXES,
  AXIS_NAMES,
  builtinCatalog,
  LANGS,
  type Persona,
  PLAN_SECTIONS,
} from '../../personas/index.ts';

const SEED_IDS = {
  technical: [
    'dev_optimistic',
    'dev_cautious',
    'eng_systematic',
    'eng_creative',
    'chain_maximalist',
    'chain_pragmatic',
    'security_paranoid',
    'infra_devops',
  ],
  design_product: ['design_bold', 'design_minimal', 'pm_visionary', 'pm_execution'],
  business_marketing: ['mkt_growth', 'mkt_brand', 'biz_analyst', 'community_lead'],
  convergence: [
    'vc_aggressive',
    'vc_conservative',
    'accel_speed',
    'accel_deep',
    'founder_serial',
    'founder_first',
    'expert_tech',
    'expert_market',
  ],
  planning: [
    'cpo_vision',
    'pm_detail',
    'tech_lead',
    'fe_lead',
    'be_lead',
    'chain_lead',
    'ux_research',
    'qa_lead',
    'devrel',
    'project_mgr',
  ],
} as const;

// The seed's tables (2.2–2.4): model per persona, exactly.
const SEED_MODELS: Record<string, string> = {
  dev_optimistic: 'phi4:14b',
  dev_cautious: 'qwen2.5:14b',
  eng_systematic: 'qwen2.5:14b',
  eng_creative: 'phi4:14b',
  chain_maximalist: 'phi4:14b',
  chain_pragmatic: 'qwen2.5:14b',
  security_paranoid: 'qwen2.5:32b',
  infra_devops: 'phi4:14b',
  design_bold: 'qwen2.5:14b',
  design_minimal: 'phi4:14b',
  pm_visionary: 'qwen2.5:14b',
  pm_execution: 'phi4:14b',
  mkt_growth: 'llama3.2:3b',
  mkt_brand: 'llama3.2:3b',
  biz_analyst: 'phi4:14b',
  community_lead: 'llama3.2:3b',
  vc_aggressive: 'qwen2.5:32b',
  vc_conservative: 'qwen2.5:32b',
  accel_speed: 'qwen2.5:32b',
  accel_deep: 'qwen2.5:14b',
  founder_serial: 'llama3.3:70b',
  founder_first: 'qwen2.5:14b',
  expert_tech: 'qwen2.5:32b',
  expert_market: 'qwen2.5:32b',
  cpo_vision: 'llama3.3:70b',
  pm_detail: 'qwen2.5:32b',
  tech_lead: 'qwen2.5:32b',
  fe_lead: 'qwen2.5:14b',
  be_lead: 'qwen2.5:14b',
  chain_lead: 'phi4:14b',
  ux_research: 'phi4:14b',
  qa_lead: 'phi4:14b',
  devrel: 'llama3.2:3b',
  project_mgr: 'qwen2.5:14b',
};

// Personas the seed spells out in code (2.6): their axes, colours and handles exactly.
const SEED_CODE = {
  dev_optimistic: [
    'Alex Kim',
    'OptimisticDev',
    '#00ff88',
    'optimistic',
    'intuitive',
    'supporter',
    'innovative',
  ],
  dev_cautious: [
    'Sarah Park',
    'CautiousArchitect',
    '#00d4ff',
    'cautious',
    'analytical',
    'challenger',
    'pragmatic',
  ],
  security_paranoid: [
    'Chris Oh',
    'SecurityParanoid',
    '#ff3366',
    'cautious',
    'analytical',
    'challenger',
    'pragmatic',
  ],
  chain_maximalist: [
    'David Hong',
    'ChainMaximalist',
    '#a855f7',
    'optimistic',
    'intuitive',
    'challenger',
    'innovative',
  ],
  vc_aggressive: [
    'Michael Chen',
    'CryptoVC',
    '#ffd700',
    'optimistic',
    'intuitive',
    'challenger',
    'innovative',
  ],
  founder_serial: [
    'Daniel Park',
    'SerialFounder',
    '#ff6b35',
    'cautious',
    'intuitive',
    'supporter',
    'pragmatic',
  ],
} as const;

const catalog: readonly Persona[] = await builtinCatalog();
const byId = new Map(catalog.map((p) => [p.id, p]));
const count = (pred: (p: Persona) => boolean) => catalog.filter(pred).length;

describe('built-in catalog', () => {
  it('has 16 divergence, 8 convergence and 10 planning personas', () => {
    expect(catalog).toHaveLength(34);
    expect(count((p) => p.phase === 'divergence')).toBe(16);
    expect(count((p) => p.phase === 'convergence')).toBe(8);
    expect(count((p) => p.phase === 'planning')).toBe(10);
  });

  it('splits divergence into 8 technical, 4 design/product and 4 business/marketing', () => {
    expect(count((p) => p.phase === 'divergence' && p.group === 'technical')).toBe(8);
    expect(count((p) => p.phase === 'divergence' && p.group === 'design_product')).toBe(4);
    expect(count((p) => p.phase === 'divergence' && p.group === 'business_marketing')).toBe(4);
  });

  it("holds exactly the seed's ids, each in its group", () => {
    const expected = Object.values(SEED_IDS).flat();
    expect([...catalog.map((p) => p.id)].sort()).toEqual([...expected].sort());
    for (const [group, ids] of Object.entries(SEED_IDS)) {
      for (const id of ids) expect(byId.get(id)?.group, id).toBe(group);
    }
  });

  it('has unique ids, handles (case-insensitively), names and colours', () => {
    for (const key of ['id', 'name', 'color'] as const) {
      expect(new Set(catalog.map((p) => p[key])).size, key).toBe(34);
    }
    expect(new Set(catalog.map((p) => p.handle.toLowerCase())).size).toBe(34);
  });

  it('has handles that are safe webhook usernames', () => {
    for (const p of catalog) {
      expect(p.handle, p.id).toMatch(/^[A-Z][A-Za-z0-9]{1,31}$/);
      expect(p.handle.toLowerCase(), p.id).not.toMatch(/discord|clyde/);
    }
  });

  it("uses the seed's model for every persona", () => {
    for (const p of catalog) expect(p.model, p.id).toBe(SEED_MODELS[p.id]);
  });

  it('sets every axis to one of its two poles', () => {
    for (const p of catalog) {
      for (const axis of AXIS_NAMES) expect(AXES[axis], `${p.id}.${axis}`).toContain(p.personality[axis]);
    }
  });

  it('keeps the axes, handles and colours of the personas the seed writes out in code', () => {
    for (const [id, [name, handle, color, thinking, decision, communication, action]] of Object.entries(
      SEED_CODE,
    )) {
      const p = byId.get(id);
      expect({ name: p?.name, handle: p?.handle, color: p?.color }, id).toEqual({ name, handle, color });
      expect(p?.personality, id).toEqual({ thinking, decision, communication, action });
    }
  });

  it('writes role, catchphrase and guidance in Korean and English', () => {
    for (const p of catalog) {
      for (const lang of LANGS) {
        for (const key of ['role', 'catchphrase', 'guidance'] as const) {
          expect(p[key][lang].trim().length, `${p.id}.${key}.${lang}`).toBeGreaterThan(0);
        }
        expect(p.guidance[lang].split('\n').filter((l) => l.startsWith('- ')).length).toBeGreaterThanOrEqual(
          4,
        );
      }
      expect(p.guidance.ko, p.id).toMatch(/[가-힣]/);
      expect(p.guidance.en, p.id).not.toMatch(/[가-힣]/);
      expect(p.expertise.length, p.id).toBeGreaterThan(0);
    }
  });

  it('gives every planner a plan section and every section an owner', () => {
    const planners = catalog.filter((p) => p.phase === 'planning');
    for (const p of planners) expect(PLAN_SECTIONS, p.id).toContain(p.planSection);
    expect(new Set(planners.map((p) => p.planSection))).toEqual(new Set(PLAN_SECTIONS));
    expect(catalog.filter((p) => p.phase !== 'planning' && p.planSection !== undefined)).toEqual([]);
    expect(byId.get('pm_detail')?.planSection).toBe('prd');
    expect(byId.get('ux_research')?.planSection).toBe('user_research');
  });

  it('uses colours readable on the dark #0a0a0a background', () => {
    const lum = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    for (const p of catalog) {
      expect(p.color, p.id).toMatch(/^#[0-9a-f]{6}$/);
      expect((lum(p.color) + 0.05) / (lum('#0a0a0a') + 0.05), p.id).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('is frozen, so no caller can change the shared built-in data', () => {
    expect(Object.isFrozen(byId.get('dev_optimistic'))).toBe(true);
    expect(Object.isFrozen(byId.get('dev_optimistic')?.personality)).toBe(true);
  });
});
