import {
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from 'discord.js';
import { LANGS, PHASES } from '../../personas/types.ts';
import { COMMANDS } from '../commands/index.ts';
import { MAX_ADDED_IDEA_CHARS, MAX_IDEA_CHARS } from '../constants.ts';

const describe = (name: string) => COMMANDS.find((c) => c.name === name)?.description ?? name;

/** The one `/arena` slash command with its subcommands, as Discord's API takes it. */
export function arenaCommandDefinition(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const cmd = new SlashCommandBuilder()
    .setName('arena')
    .setDescription('Agentic Arena: LLM personas debate ideas in a thread')
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      s
        .setName('start')
        .setDescription(describe('start'))
        .addStringOption((o) =>
          o
            .setName('idea')
            .setDescription('The idea to debate, in a sentence or two')
            .setRequired(true)
            .setMaxLength(MAX_IDEA_CHARS),
        )
        .addIntegerOption((o) =>
          o
            .setName('rounds')
            .setDescription('Divergence rounds (default from config)')
            .setMinValue(1)
            .setMaxValue(10),
        )
        .addStringOption((o) =>
          o
            .setName('lang')
            .setDescription('Language of the debate')
            .addChoices(...LANGS.map((l) => ({ name: l === 'ko' ? '한국어' : 'English', value: l }))),
        ),
    );
  for (const name of ['stop', 'pause', 'resume', 'status', 'budget', 'ideas']) {
    cmd.addSubcommand((s) => {
      s.setName(name).setDescription(describe(name));
      // `/arena ideas` lists the backlog; `/arena ideas add: …` adds a person's idea to it.
      if (name === 'ideas')
        s.addStringOption((o) =>
          o
            .setName('add')
            .setDescription('An idea of your own to add to the backlog (pending a debate)')
            .setMaxLength(MAX_ADDED_IDEA_CHARS),
        );
      return s;
    });
  }
  cmd.addSubcommand((s) =>
    s
      .setName('export')
      .setDescription(describe('export'))
      .addStringOption((o) =>
        o
          .setName('format')
          .setDescription('Markdown (the default) or JSON')
          .addChoices({ name: 'Markdown', value: 'md' }, { name: 'JSON', value: 'json' }),
      ),
  );
  cmd.addSubcommand((s) =>
    s
      .setName('personas')
      .setDescription(describe('personas'))
      .addStringOption((o) =>
        o
          .setName('phase')
          .setDescription('Only personas of this phase')
          .addChoices(...PHASES.map((p) => ({ name: p, value: p }))),
      ),
  );
  cmd.addSubcommand((s) =>
    s
      .setName('summon')
      .setDescription(describe('summon'))
      .addStringOption((o) =>
        o.setName('persona').setDescription('Handle of the persona').setRequired(true).setAutocomplete(true),
      ),
  );
  return cmd.toJSON();
}
