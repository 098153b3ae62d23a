/** @module Picks the notifier for a channel's target; the composition root hands it the real fetch. */
import type { Fetch } from '../../core/fetch.js';
import type { ChannelTarget } from '../../store/schema.js';
import { discordNotifier } from './discord.js';
import { emailNotifier } from './email.js';
import { gotifyNotifier } from './gotify.js';
import type { Notifier, NotifierFactory } from './notifier.js';
import { ntfyNotifier } from './ntfy.js';
import { slackNotifier } from './slack.js';
import { webhookNotifier } from './webhook.js';

export interface NotifierDeps {
  readonly fetch: Fetch;
  readonly smtpTimeoutMs?: number;
}

export function createNotifierFactory(deps: NotifierDeps): NotifierFactory {
  return (target: ChannelTarget): Notifier => {
    switch (target.kind) {
      case 'webhook':
        return webhookNotifier(deps.fetch, target);
      case 'ntfy':
        return ntfyNotifier(deps.fetch, target);
      case 'gotify':
        return gotifyNotifier(deps.fetch, target);
      case 'discord':
        return discordNotifier(deps.fetch, target);
      case 'slack':
        return slackNotifier(deps.fetch, target);
      case 'email':
        return emailNotifier(
          target,
          deps.smtpTimeoutMs === undefined ? {} : { timeoutMs: deps.smtpTimeoutMs },
        );
    }
  };
}
