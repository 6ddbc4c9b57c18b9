import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLED_FONT, packagedFontPaths } from '@tally/documents';
import { Duration, Validations } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_NAME_ENV } from './function-env.js';

export interface BillingFunctionProps {
  /** Folder under functions/ holding handler.ts; also the function's role in logs and metrics. */
  readonly name: string;
  /** Default 30 seconds. */
  readonly timeout?: Duration;
  /** Default 1024 MB (arm64 at 1 GB gives a full vCPU share for decimal math). */
  readonly memorySize?: number;
  /** Extra environment variables (resource names). */
  readonly environment?: Record<string, string>;
  /** Caps concurrent executions to protect downstream tables. Default: none. */
  readonly reservedConcurrentExecutions?: number;
  /** Root of the repository (where functions/ lives). Default: the current working directory. */
  readonly projectRoot?: string;
  /**
   * Ship pdfkit's standard fonts beside the bundle. pdfkit loads them at run time with
   * `createRequire(import.meta.url)('#standard-fonts/Helvetica')`, which no bundler can follow; the copied
   * files and a package.json `imports` map next to the bundle let Node resolve the same specifier there.
   * Default false.
   */
  readonly pdfkitStandardFonts?: boolean;
  /**
   * Ship tally's Unicode font (Noto Sans JP, `BUNDLED_FONT` of @tally/documents: regular and bold TrueType,
   * 10.9 MB, +6.3 MB zipped) in `fonts/` beside the bundle, where the PDF renderer looks first: Lambda has no
   * system fonts, and without it Japanese documents print "?". Default: `pdfkitStandardFonts` (a function that
   * renders PDFs needs both).
   */
  readonly unicodeFont?: boolean;
}

/**
 * A tally Lambda with the project's defaults: Node.js 22 on arm64, bundled by the local esbuild (never
 * Docker) as ESM, JSON logs with 30-day retention, X-Ray tracing, Powertools service name and metrics
 * namespace.
 */
export class BillingFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: BillingFunctionProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.name)) {
      throw new Error(`BillingFunction: name "${props.name}" must be a kebab-case folder under functions/`);
    }
    const root = props.projectRoot ?? process.cwd();
    const entry = join(root, 'functions', props.name, 'handler.ts');
    if (!existsSync(entry)) throw new Error(`BillingFunction ${props.name}: ${entry} does not exist`);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.fn = new NodejsFunction(this, 'Fn', {
      entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 1024,
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      environment: {
        [FUNCTION_NAME_ENV]: props.name,
        POWERTOOLS_SERVICE_NAME: `tally-${props.name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Tally',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        // ESM bundles need `require` for the CommonJS parts of dependencies.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        externalModules: ['@aws-sdk/*'],
        ...(props.pdfkitStandardFonts || props.unicodeFont
          ? {
              commandHooks: pdfFontHooks(root, {
                standard: props.pdfkitStandardFonts ?? false,
                unicode: props.unicodeFont ?? props.pdfkitStandardFonts ?? false,
              }),
            }
          : {}),
      },
    });
    // What every tally function has by design; each reason holds for all of them, so it is stated once here.
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (Resource "*")',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x is the runtime tally is built and tested for; newer runtimes are adopted deliberately',
      },
    );
  }
}

/**
 * Bundling hooks (local shell, no Docker) that copy pdfkit's standard fonts and map `#standard-fonts/*` to
 * them, and copy the bundled Unicode font files into `fonts/`.
 */
function pdfFontHooks(root: string, ship: { standard: boolean; unicode: boolean }): ICommandHooks {
  const commands = (output: string): string[] => {
    const out: string[] = [];
    if (ship.standard) {
      const fonts = join(root, 'node_modules', 'pdfkit', 'js', 'standard-fonts');
      if (!existsSync(fonts))
        throw new Error(`BillingFunction: pdfkit fonts not found at ${fonts} (run npm ci)`);
      const pkg = JSON.stringify({ imports: { '#standard-fonts/*': './standard-fonts/*.cjs' } });
      out.push(
        `cp -r "${fonts}" "${output}/standard-fonts"`,
        `printf '%s' '${pkg}' > "${output}/package.json"`,
      );
    }
    if (ship.unicode) {
      // Where the renderer itself finds them in the installed package, resolved from the project root.
      const found = packagedFontPaths(pathToFileURL(join(root, 'package.json')).href);
      if (found === null)
        throw new Error(
          `BillingFunction: package ${BUNDLED_FONT.package} not found from ${root} (run npm ci)`,
        );
      const files = [found.regular, found.bold];
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length > 0)
        throw new Error(`BillingFunction: font files not found: ${missing.join(', ')} (run npm ci)`);
      out.push(
        `mkdir -p "${output}/${BUNDLED_FONT.dir}"`,
        ...files.map((f) => `cp "${f}" "${output}/${BUNDLED_FONT.dir}/"`),
      );
    }
    return out;
  };
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) => commands(output),
  };
}
