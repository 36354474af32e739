import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import type { SnapshotReport } from '../../src/sync/snapshot.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { pdfText } from '../support/pdf-text.js';
import { copyRemote, exportedRemote } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';
import { API_VERSIONS, endpointOf } from '../support/api.js';

/** `tmlsync snapshot` against the demo emulator, exported into a git remote once; each version snapshots from a copy of it. */
const stage = useStage('tmlsync-snapshot-');
let seed: string;
beforeAll(async () => {
  seed = await exportedRemote(stage);
});

describe.each(API_VERSIONS)('tmlsync snapshot, over %s', (api) => {
  const work = join(stage.work, api);
  const configFile = join(stage.work, `tmlsync-${api}.yaml`);
  let remote: string;

  beforeAll(() => {
    mkdirSync(work);
    remote = copyRemote(stage.server, seed, `content-${api}`);
    writeFileSync(configFile, `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nenvironments:\n  dev:\n    url: ${stage.emulator.url}\n    api: ${api}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n`);
  });

    it('saves a PDF of every liveboard, named after its file, as the environment renders it', async () => {
      const out = join(work, 'all');
      const result = await cli(['snapshot', '--config', configFile, '--env', 'dev', '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(out).sort()).toEqual([
        `Product-Insights.${DEMO_GUIDS.liveboards[2]}.pdf`,
        `Retail-Overview.${DEMO_GUIDS.liveboards[0]}.pdf`,
        `Store-Performance.${DEMO_GUIDS.liveboards[1]}.pdf`,
      ]);
      const text = await pdfText(join(out, `Store-Performance.${DEMO_GUIDS.liveboards[1]}.pdf`));
      expect(text).toContain('Store Performance');
      expect(text).toMatch(/Sales by Store[\s\S]*Sales by Region[\s\S]*Quantity by State/);
      expect(result.stdout).toMatch(/^snapshot dev at [0-9a-f]{12}: 3 PDFs in /);
    });

    it('saves only the liveboards changed since a commit, and fails naming a liveboard the environment cannot render', async () => {
      const clone = join(work, 'clone');
      git(work, 'clone', '--quiet', '-b', 'dev', remote, clone);
      const before = git(clone, 'rev-parse', 'HEAD');
      const file = `tml/liveboard/Product-Insights.${DEMO_GUIDS.liveboards[2]}.liveboard.tml`;
      writeFileSync(join(clone, file), readFileSync(join(clone, file), 'utf8').replace(/^( {2}name: .*)$/m, '$1\n  description: For the snapshot'));
      git(clone, 'commit', '--quiet', '-am', 'describe a liveboard');
      git(clone, 'push', '--quiet', 'origin', 'dev');

      const out = join(work, 'changed');
      const result = await cli(['snapshot', '--config', configFile, '--env', 'dev', '--changed-since', before, '--out', out, '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as SnapshotReport;
      expect(report.snapshots).toMatchObject([{ name: 'Product Insights', path: file, file: `Product-Insights.${DEMO_GUIDS.liveboards[2]}.pdf` }]);
      expect(readdirSync(out)).toEqual([`Product-Insights.${DEMO_GUIDS.liveboards[2]}.pdf`]);
      expect(readFileSync(join(out, readdirSync(out)[0]!)).subarray(0, 5).toString()).toBe('%PDF-');

      // A new liveboard file whose GUID the environment does not have.
      const stray = 'tml/liveboard/Stray.00000000-0000-4000-8000-000000000001.liveboard.tml';
      writeFileSync(join(clone, stray), readFileSync(join(clone, file), 'utf8').replace(DEMO_GUIDS.liveboards[2], '00000000-0000-4000-8000-000000000001').replace('name: Product Insights', 'name: Stray'));
      git(clone, 'add', stray);
      git(clone, 'commit', '--quiet', '-m', 'a liveboard dev never had');
      git(clone, 'push', '--quiet', 'origin', 'dev');
      const failed = await cli(['snapshot', '--config', configFile, '--env', 'dev', '--changed-since', 'HEAD~1', '--out', join(work, 'stray')]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/failed {2}liveboard "Stray" \(tml\/liveboard\/Stray\.[^)]+\): ThoughtSpot (\S+) failed with HTTP 400/);
      expect(failed.stdout).toContain(`ThoughtSpot ${endpointOf(api, 'liveboardPdf')} failed with HTTP 400`);
      expect(existsSync(join(work, 'stray'))).toBe(true);
      expect(readdirSync(join(work, 'stray'))).toEqual([]);
    });

    it('refuses an unknown --changed-since with exit 2, and needs --out', async () => {
      const unknown = await cli(['snapshot', '--config', configFile, '--env', 'dev', '--changed-since', 'no-such-ref', '--out', join(work, 'x')]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--changed-since no-such-ref: no such commit in the remote');
      const noOut = await cli(['snapshot', '--config', configFile, '--env', 'dev']);
      expect(noOut.code).toBe(2);
      expect(noOut.stderr).toContain('--out is required');
    });
});
