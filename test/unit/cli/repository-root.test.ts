import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../../functions/cli/repository-root';

/** GitHub's code scanning reads SARIF paths from the repository root: the checkout that holds the files audited. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-root-'));
  for (const repo of ['infra', 'platform']) {
    mkdirSync(join(dir, repo, '.git'), { recursive: true });
    mkdirSync(join(dir, repo, 'deploy', 'istio'), { recursive: true });
    writeFileSync(join(dir, repo, 'deploy', 'istio', 'pa.yaml'), 'apiVersion: security.istio.io/v1\n');
  }
  mkdirSync(join(dir, 'outside'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('is the checkout holding the audited paths, when the job runs from outside it', () => {
  expect(repositoryRoot([join(dir, 'infra', 'deploy')], join(dir, 'outside'))).toBe(join(dir, 'infra'));
  expect(repositoryRoot(['../infra/deploy/istio/pa.yaml'], join(dir, 'outside'))).toBe(join(dir, 'infra'));
});

it("is the working directory's checkout when the paths lie in two checkouts, or in none", () => {
  const cwd = join(dir, 'platform', 'deploy');
  expect(repositoryRoot([join(dir, 'infra', 'deploy'), join(dir, 'platform', 'deploy')], cwd)).toBe(join(dir, 'platform'));
  expect(repositoryRoot([join(dir, 'outside')], cwd)).toBe(join(dir, 'platform'));
  expect(repositoryRoot([join(dir, 'outside')], join(dir, 'outside'))).toBe(join(dir, 'outside'));
});

it('leaves standard input out of the question', () => {
  expect(repositoryRoot(['/dev/stdin', join(dir, 'infra', 'deploy')], join(dir, 'outside'))).toBe(join(dir, 'infra'));
});
