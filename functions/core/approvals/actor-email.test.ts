import { actorEmail } from './actor-email';

describe('actorEmail', () => {
  test.each([
    ['IAM Identity Center session (shared CloudTrail event)', 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com', 'alice@example.com'],
    ['session name in mixed case', 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/Alice.Smith@Example.com', 'alice.smith@example.com'],
    ['GovCloud partition', 'arn:aws-us-gov:sts::111122223333:assumed-role/AWSReservedSSO_Ops_0a1b/carol@example.com', 'carol@example.com'],
    ['GKE principalEmail', 'bob@example.com', 'bob@example.com'],
    ['IAM member syntax', 'user:bob@example.com', 'bob@example.com'],
    ['IAM user named by email', 'arn:aws:iam::111122223333:user/people/dave@example.com', 'dave@example.com'],
  ])('%s', (_name, actor, email) => {
    expect(actorEmail(actor)).toBe(email);
  });

  test.each([
    ['meshgov remediator role session', 'arn:aws:sts::111122223333:assumed-role/meshgov-remediator/meshgov-hub-remediator'],
    ['CI IAM user', 'arn:aws:iam::111122223333:user/ci-deployer'],
    ['Kubernetes service account', 'system:serviceaccount:argocd:argocd-application-controller'],
    ['Slack user id', 'slack:U05JX7RB2LM'],
    ['empty', ''],
    ['not an email', 'alice@localhost'],
  ])('%s carries no email', (_name, actor) => {
    expect(actorEmail(actor)).toBeUndefined();
  });
});
