import { personOf } from './suspects';

test.each([
  ['arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com', 'alice@example.com'],
  ['arn:aws:iam::111122223333:user/ci-deployer', 'ci-deployer'],
  ['bob@example.com', 'bob@example.com'],
  ['system:serviceaccount:argocd:argocd-application-controller', 'argocd/argocd-application-controller'],
  ['ci-deployer@meshgov-demo.iam.gserviceaccount.com', 'ci-deployer@meshgov-demo.iam.gserviceaccount.com'],
])('%s is named %s', (actor, short) => {
  expect(personOf(actor)).toBe(short);
});
