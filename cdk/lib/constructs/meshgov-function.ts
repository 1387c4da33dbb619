import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { POLICY_SNAPSHOT_FILE, SNAPSHOT_ONLY_DEFINE } from '../../../functions/core/policy/snapshot';
import { createPolicySnapshot } from '../../../functions/core/policy/write-snapshot';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Where the AWS SDK v3 clients come from: `runtime` leaves `@aws-sdk/*` to the nodejs22.x
 * runtime's copy, `bundled` puts them in each bundle. Chosen from the figures of
 * bench/cold-start.bench.ts, which fails when this no longer matches its measurements.
 */
export const CDK_SDK_CHOICE: 'bundled' | 'runtime' = 'runtime';

/**
 * Where Powertools comes from: `bundled` in each bundle (what this construct does), or `layer`
 * (the AWSLambdaPowertoolsTypeScriptV2 layer, which this construct does not add). Also checked
 * by bench/cold-start.bench.ts against its figures.
 */
export const CDK_POWERTOOLS_CHOICE: 'bundled' | 'layer' = 'bundled';

/**
 * The construct context key under which MeshGovernance names the rules directory its functions
 * ship (set on its own node, so every function below it reads the same one).
 */
export const RULES_DIR_CONTEXT = 'meshgov-internal:rulesDir';

/** The rules directory a function under `scope` ships: its MeshGovernance's, else the repository's rules/. */
export function deployedRulesDir(scope: Construct): string {
  const dir: unknown = scope.node.tryGetContext(RULES_DIR_CONTEXT);
  return typeof dir === 'string' ? dir : path.join(REPO_ROOT, 'rules');
}

const stagedSnapshots = new Map<string, string>();

/**
 * Validates a rules directory once per synth (a broken rules file fails `cdk synth` with its
 * file, line and field) and stages its snapshot under .tmp/ in the project root, which is the
 * bundling input directory both locally and in Docker. Returns its path relative to the project root.
 */
export function stagePolicySnapshot(rulesDir: string = path.join(REPO_ROOT, 'rules')): string {
  let staged = stagedSnapshots.get(rulesDir);
  if (!staged) {
    const text = `${JSON.stringify(createPolicySnapshot(rulesDir))}\n`;
    staged = path.join('.tmp', 'policy-snapshot', `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json`);
    mkdirSync(path.dirname(path.join(REPO_ROOT, staged)), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, staged), text);
    stagedSnapshots.set(rulesDir, staged);
  }
  return staged;
}

/**
 * The afterBundling commands that put the rules directory and its staged snapshot into a bundle
 * (`rules/` and `rules/<POLICY_SNAPSHOT_FILE>`). aws-cdk-lib runs each with `bash -c`, or with
 * `cmd /c` on Windows, which has no cp: Node's fs does the copying, with the paths as arguments
 * (the script itself holds no quote, $ or %, so it reads the same to sh and cmd). `node` goes
 * first and unquoted: cmd /c strips a leading quote and the line's last one.
 */
export function copyRulesCommands(rulesDir: string, snapshotFile: string, outputDir: string, platform: NodeJS.Platform = process.platform): string[] {
  // Windows paths hold no double quote; a POSIX path may hold anything, so it is single-quoted.
  const quote = platform === 'win32' ? (arg: string) => `"${arg}"` : (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  const script =
    "const fs=require('fs'),path=require('path'),[src,snapshot,out,name]=process.argv.slice(1);" +
    "fs.cpSync(src,path.join(out,'rules'),{recursive:true});fs.copyFileSync(snapshot,path.join(out,'rules',name))";
  return [['node', '-e', `"${script}"`, quote(rulesDir), quote(snapshotFile), quote(outputDir), quote(POLICY_SNAPSHOT_FILE)].join(' ')];
}

export interface MeshGovFunctionProps {
  /** Path of the handler module under functions/aws, e.g. `app-mesh-events.ts`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
}

/**
 * A meshgov Lambda function: NodejsFunction bundled by the locally installed esbuild (no
 * Docker), nodejs22.x on arm64, minified with source maps, and the rules policy (its
 * MeshGovernance's rules directory, deployedRulesDir) copied beside the bundle (MESHGOV_RULES
 * points at it) with its validated snapshot, which is all the function reads of it.
 */
export class MeshGovFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: MeshGovFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    // Our own role instead of the default one with AWSLambdaBasicExecutionRole: that managed
    // policy lets the function write to every log group in the account (cdk-nag
    // AwsSolutions-IAM4); this one may write only to the function's own log group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `meshgov ${props.entry}: execution role`,
    });
    logGroup.grantWrite(role);
    const rulesDir = deployedRulesDir(this);
    const snapshot = stagePolicySnapshot(rulesDir);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'functions/aws', props.entry),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      logGroup,
      role,
      tracing: lambda.Tracing.ACTIVE,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        MESHGOV_RULES: '/var/task/rules',
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_METRICS_NAMESPACE: 'meshgov',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node22',
        externalModules: CDK_SDK_CHOICE === 'runtime' ? ['@aws-sdk/*'] : [],
        // The policy comes from the snapshot staged above: no zod, no yaml in the bundle.
        define: { ...SNAPSHOT_ONLY_DEFINE },
        forceDockerBundling: false,
        format: nodejs.OutputFormat.CJS,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Bundling runs locally (no Docker), so a rules directory outside the project is reachable too.
          afterBundling: (inputDir: string, outputDir: string) => copyRulesCommands(rulesDir, path.join(inputDir, snapshot), outputDir),
        },
      },
    });
  }
}
