#!/usr/bin/env bash
# Deploys the meshgov GCP agent: Cloud Functions (2nd gen) that audit Istio on one GKE cluster
# when its configuration changes, on a schedule and when a latency SLO alert fires, report to
# the hub on AWS, and apply the changes the hub dispatches after an approval.
#
# Creates (or updates, when run again):
#   - the service accounts meshgov-agent (runs the functions), meshgov-events (Eventarc
#     triggers) and meshgov-build (builds the functions' source), with least privilege: roles/container.clusterViewer to reach the cluster, the
#     Kubernetes RBAC in rbac.yaml inside it, secretAccessor on the link secret only;
#   - the Secret Manager secret holding the hub-agent link key;
#   - the Pub/Sub topics meshgov-istio-changes, meshgov-scheduled-audit, meshgov-slo-incidents,
#     meshgov-dead-letter;
#   - the log sink on GKE Admin Activity audit entries for Istio kinds, and its writer's
#     publish right on the topic;
#   - the Cloud Monitoring Pub/Sub notification channel on meshgov-slo-incidents, and the
#     Monitoring notification service agent's publish right on that topic;
#   - the functions istioConfigChanged, istioScheduledAudit, istioAlertFired (Pub/Sub, retried
#     on failure, with a dead-letter topic after 20 attempts) and executeRemediation (HTTPS);
#   - one Cloud Monitoring alert policy per Istio SLO of the rules (PromQL burn-rate conditions,
#     made by .ci/scripts/generate-alert-policies.ts), notifying that channel; created last, so
#     that every incident finds istioAlertFired's subscription in place;
#   - the Cloud Scheduler job meshgov-nightly-audit.
#
# Without gcloud on PATH, or with --plan, it changes nothing: it prints every command (the
# plan) and exits 0. Build the source first: `npm run build` leaves it in dist/gcp.
#
# executeRemediation and authentication: the hub runs on AWS Lambda and has no Google
# identity, so by default the function is deployed --allow-unauthenticated and authenticates
# every request itself: the link's HMAC-SHA256 over timestamp, nonce and raw body, a 5-minute
# window and nonce replay protection (functions/core/link), one instance (--max-instances=1,
# so its nonce memory sees every request), and the resourceVersion precondition on every
# change. For defence in depth, federate the hub's IAM role into GCP (Workload Identity
# Federation), let the hub send a Google ID token, and pass --private-execute MEMBER: the
# function is then deployed --no-allow-unauthenticated and only MEMBER may invoke it.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: deploy-agent.sh [options]

Required (flag or environment variable):
  --project ID           MESHGOV_GCP_PROJECT    GCP project of the cluster and the functions
  --cluster NAME         MESHGOV_GKE_CLUSTER    the GKE cluster running Istio
  --location LOCATION    MESHGOV_GKE_LOCATION   the cluster's region or zone
  --hub-url URL          MESHGOV_HUB_URL        the hub's findings endpoint (https)

Optional:
  --region REGION        MESHGOV_REGION         region of the functions, topics and job (default: us-central1)
  --source DIR           MESHGOV_SOURCE         built functions source (default: dist/gcp)
  --dry-run true|false   MESHGOV_DRY_RUN        agent changes nothing while true (default: true); set on the
                         functions, it wins over remediation.dryRun in the rules
  --schedule CRON        MESHGOV_SCHEDULE       full audit schedule (default: "0 6 * * *")
  --time-zone TZ         MESHGOV_TIME_ZONE      time zone of the schedule (default: Etc/UTC)
  --istio-namespace NS   MESHGOV_ISTIO_NAMESPACE  Istio control-plane/root namespace (default: istio-system)
  --link-secret-file F   MESHGOV_LINK_SECRET_FILE  add this file as the link key's new version
  --vpc-connector NAME   MESHGOV_VPC_CONNECTOR  reach a private cluster's private endpoint through this connector
  --private-execute M    MESHGOV_EXECUTE_INVOKER  deploy executeRemediation private; only IAM member M may invoke it
  --prometheus-url URL   MESHGOV_PROMETHEUS_URL  Prometheus HTTP API for the fresh SLO query of an incident and the SLO sweep
                         (default: the project's Google Managed Prometheus frontend)
  --alert-policies DIR   MESHGOV_ALERT_POLICIES  where the alert policy files are written (default: dist/gcp-alert-policies)
  --plan                 print the commands without running them
  -h, --help
USAGE
}

die() {
  echo "deploy-agent.sh: $*" >&2
  exit 2
}

PROJECT=${MESHGOV_GCP_PROJECT:-}
CLUSTER=${MESHGOV_GKE_CLUSTER:-}
LOCATION=${MESHGOV_GKE_LOCATION:-}
HUB_URL=${MESHGOV_HUB_URL:-}
REGION=${MESHGOV_REGION:-us-central1}
SOURCE=${MESHGOV_SOURCE:-dist/gcp}
DRY_RUN=${MESHGOV_DRY_RUN:-true}
SCHEDULE=${MESHGOV_SCHEDULE:-0 6 * * *}
TIME_ZONE=${MESHGOV_TIME_ZONE:-Etc/UTC}
ISTIO_NAMESPACE=${MESHGOV_ISTIO_NAMESPACE:-istio-system}
LINK_SECRET_FILE=${MESHGOV_LINK_SECRET_FILE:-}
VPC_CONNECTOR=${MESHGOV_VPC_CONNECTOR:-}
EXECUTE_INVOKER=${MESHGOV_EXECUTE_INVOKER:-}
PROMETHEUS_URL=${MESHGOV_PROMETHEUS_URL:-}
ALERT_POLICIES=${MESHGOV_ALERT_POLICIES:-dist/gcp-alert-policies}
PLAN=false

while [ $# -gt 0 ]; do
  case "$1" in
    --project) PROJECT=${2:?--project needs a value}; shift 2 ;;
    --cluster) CLUSTER=${2:?--cluster needs a value}; shift 2 ;;
    --location) LOCATION=${2:?--location needs a value}; shift 2 ;;
    --hub-url) HUB_URL=${2:?--hub-url needs a value}; shift 2 ;;
    --region) REGION=${2:?--region needs a value}; shift 2 ;;
    --source) SOURCE=${2:?--source needs a value}; shift 2 ;;
    --dry-run) DRY_RUN=${2:?--dry-run needs true or false}; shift 2 ;;
    --schedule) SCHEDULE=${2:?--schedule needs a value}; shift 2 ;;
    --time-zone) TIME_ZONE=${2:?--time-zone needs a value}; shift 2 ;;
    --istio-namespace) ISTIO_NAMESPACE=${2:?--istio-namespace needs a value}; shift 2 ;;
    --link-secret-file) LINK_SECRET_FILE=${2:?--link-secret-file needs a value}; shift 2 ;;
    --vpc-connector) VPC_CONNECTOR=${2:?--vpc-connector needs a value}; shift 2 ;;
    --private-execute) EXECUTE_INVOKER=${2:?--private-execute needs an IAM member}; shift 2 ;;
    --prometheus-url) PROMETHEUS_URL=${2:?--prometheus-url needs a URL}; shift 2 ;;
    --alert-policies) ALERT_POLICIES=${2:?--alert-policies needs a directory}; shift 2 ;;
    --plan) PLAN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

case "$DRY_RUN" in true | false) ;; *) die "--dry-run must be true or false, got '$DRY_RUN'" ;; esac

if ! command -v gcloud >/dev/null 2>&1; then
  if ! $PLAN; then echo "# gcloud is not on PATH: printing the plan, changing nothing." >&2; fi
  PLAN=true
fi

missing=()
[ -n "$PROJECT" ] || missing+=("--project (MESHGOV_GCP_PROJECT)")
[ -n "$CLUSTER" ] || missing+=("--cluster (MESHGOV_GKE_CLUSTER)")
[ -n "$LOCATION" ] || missing+=("--location (MESHGOV_GKE_LOCATION)")
[ -n "$HUB_URL" ] || missing+=("--hub-url (MESHGOV_HUB_URL)")
if [ ${#missing[@]} -gt 0 ]; then
  $PLAN || die "missing: ${missing[*]}"
  echo "# not given, shown as placeholders: ${missing[*]}"
  PROJECT=${PROJECT:-PROJECT_ID}
  CLUSTER=${CLUSTER:-CLUSTER_NAME}
  LOCATION=${LOCATION:-CLUSTER_LOCATION}
  HUB_URL=${HUB_URL:-https://HUB_HOST/agent/findings}
fi
case "$HUB_URL" in https://*) ;; *) die "--hub-url must be https, got '$HUB_URL'" ;; esac
# Google Managed Service for Prometheus answers the Prometheus HTTP API here (the agent's SLO reads).
PROMETHEUS_URL=${PROMETHEUS_URL:-https://monitoring.googleapis.com/v1/projects/$PROJECT/location/global/prometheus}
if ! $PLAN && [ ! -f "$SOURCE/package.json" ]; then die "$SOURCE/package.json not found: run 'npm run build' first"; fi

# ---- names -------------------------------------------------------------------------------
AGENT_SA_NAME=meshgov-agent
EVENTS_SA_NAME=meshgov-events
BUILD_SA_NAME=meshgov-build
AGENT_SA="$AGENT_SA_NAME@$PROJECT.iam.gserviceaccount.com"
EVENTS_SA="$EVENTS_SA_NAME@$PROJECT.iam.gserviceaccount.com"
BUILD_SA="$BUILD_SA_NAME@$PROJECT.iam.gserviceaccount.com"
CHANGES_TOPIC=meshgov-istio-changes
SCHEDULE_TOPIC=meshgov-scheduled-audit
DEAD_LETTER_TOPIC=meshgov-dead-letter
INCIDENTS_TOPIC=meshgov-slo-incidents
INCIDENTS_TOPIC_PATH="projects/$PROJECT/topics/$INCIDENTS_TOPIC"
DEAD_LETTER_HOLD=meshgov-dead-letter-hold
SINK=meshgov-istio-changes
JOB=meshgov-nightly-audit
LINK_SECRET=meshgov-link-secret
RUNTIME=nodejs22
MAX_DELIVERY_ATTEMPTS=20
# Pub/Sub's longest ack deadline; above every event function's --timeout (540 s at most).
ACK_DEADLINE_SECONDS=600

# Admin Activity audit entries (always on for GKE) of this cluster, for writes to the Istio
# kinds and to Namespaces themselves (their injection labels put workloads in or out of the
# mesh; the anchored pattern leaves out every object inside a namespace, pods included). Keyed
# on resourceName; the methods are create, update, patch, delete and deletecollection (GKE
# writes methodName as io.istio.<group>.<version>.<resource>.<verb>, io.k8s.core.v1.namespaces.<verb>).
# The dot is a class, [.], not \.: the query language's own string escapes would otherwise
# decide what reaches the RE2 pattern.
LOG_FILTER="logName=\"projects/$PROJECT/logs/cloudaudit.googleapis.com%2Factivity\"
AND protoPayload.serviceName=\"k8s.io\"
AND resource.type=\"k8s_cluster\"
AND resource.labels.cluster_name=\"$CLUSTER\"
AND resource.labels.location=\"$LOCATION\"
AND (protoPayload.resourceName:\"security.istio.io/\" OR protoPayload.resourceName:\"networking.istio.io/\" OR protoPayload.resourceName=~\"^core/v1/namespaces/[^/]+\$\")
AND protoPayload.methodName=~\"[.](create|update|patch|delete|deletecollection)\$\""

SCHEDULER_MESSAGE='{"trigger":"schedule","scope":"all"}'

# ---- plan / run helpers ------------------------------------------------------------------
quote() {
  local word out=()
  for word in "$@"; do
    if [[ "$word" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=("$word"); else out+=("'${word//\'/\'\\\'\'}'"); fi
  done
  echo "${out[*]}"
}

step() { echo; echo "# == $* =="; }
note() { echo "# $*"; }

run() {
  quote "$@"
  if ! $PLAN; then "$@"; fi
}

# Runs an IAM grant, retrying it with exponential backoff (1 s doubling, about a minute in all):
# IAM is eventually consistent, and a principal just created (a service account above, a service
# agent made when its API was enabled or its first channel created) may be "not found" for a while
# (IAM API reference: "retry the request with truncated exponential backoff"). Granting is
# idempotent, so a retry is safe.
IAM_ATTEMPTS=7
run_iam() {
  quote "$@"
  if $PLAN; then return 0; fi
  local attempt=1 delay=1
  until "$@"; do
    [ "$attempt" -lt "$IAM_ATTEMPTS" ] || return 1
    echo "# IAM may not see that principal yet: trying again in ${delay}s" >&2
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
}

# Runs a command that creates something and prints its name, for the caller to capture; a plan
# shows it as capture does (NAME=$(command)) and stands a placeholder in for the name.
run_capture() {
  local placeholder=$1
  shift
  if $PLAN; then
    capture "$placeholder" "$@"
  else
    quote "$@" >&3
    "$@"
  fi
}

# True when the resource exists; never true in a plan, which shows the create commands.
present() {
  if $PLAN; then return 1; fi
  "$@" >/dev/null 2>&1
}

# Runs a read-only command for its output; a plan shows the command (on fd 3, the script's
# stdout, since $(...) captures fd 1) and stands a placeholder in for the value.
exec 3>&1
capture() {
  local placeholder=$1
  shift
  if $PLAN; then
    echo "$placeholder=\$($(quote "$@"))" >&3
    echo "<$placeholder>"
  else
    "$@"
  fi
}

G=(--project="$PROJECT")

echo "# meshgov GCP agent: project $PROJECT, cluster $CLUSTER ($LOCATION), functions in $REGION, source $SOURCE"
echo "# hub $HUB_URL; MESHGOV_DRY_RUN=$DRY_RUN"
$PLAN && echo "# PLAN: nothing below is executed."

step "APIs"
# iam: the service accounts below, and a user-specified build service account
# (https://cloud.google.com/functions/docs/securing/build-custom-sa, "Enable APIs").
run gcloud services enable cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com \
  artifactregistry.googleapis.com eventarc.googleapis.com pubsub.googleapis.com logging.googleapis.com \
  cloudscheduler.googleapis.com secretmanager.googleapis.com container.googleapis.com iam.googleapis.com \
  monitoring.googleapis.com "${G[@]}"

PROJECT_NUMBER=$(capture PROJECT_NUMBER gcloud projects describe "$PROJECT" --format='value(projectNumber)')
PUBSUB_AGENT="service-$PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"
MONITORING_NOTIFICATION_AGENT="service-$PROJECT_NUMBER@gcp-sa-monitoring-notification.iam.gserviceaccount.com"

step "Service accounts and least-privilege roles"
if ! present gcloud iam service-accounts describe "$AGENT_SA" "${G[@]}"; then
  run gcloud iam service-accounts create "$AGENT_SA_NAME" --display-name="meshgov GCP agent (audits and remediates Istio on $CLUSTER)" "${G[@]}"
fi
if ! present gcloud iam service-accounts describe "$EVENTS_SA" "${G[@]}"; then
  run gcloud iam service-accounts create "$EVENTS_SA_NAME" --display-name="meshgov event triggers (invokes the agent's event functions)" "${G[@]}"
fi
if ! present gcloud iam service-accounts describe "$BUILD_SA" "${G[@]}"; then
  run gcloud iam service-accounts create "$BUILD_SA_NAME" --display-name="meshgov function builds (Cloud Build)" "${G[@]}"
fi
note "Cloud Build builds the functions as $BUILD_SA: since July 2024 a new project's default build account"
note "(the Compute Engine default one) may lack the rights to build a function (functions/docs/securing/build-custom-sa)."
run_iam gcloud projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$BUILD_SA" --role=roles/cloudbuild.builds.builder --condition=None
note "container.clusters.get only: what the agent may do inside the cluster is Kubernetes RBAC (below)."
run_iam gcloud projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$AGENT_SA" --role=roles/container.clusterViewer --condition=None
note "monitoring.timeSeries.list: the fresh PromQL query of an SLO incident reads Google Managed Prometheus."
run_iam gcloud projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$AGENT_SA" --role=roles/monitoring.viewer --condition=None
run_iam gcloud projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$EVENTS_SA" --role=roles/eventarc.eventReceiver --condition=None
note "Pub/Sub mints the push tokens of the Eventarc subscriptions as $EVENTS_SA (needed on projects created before April 2021):"
note "granted on that one service account, not project-wide, so Pub/Sub cannot mint tokens for any other."
run_iam gcloud iam service-accounts add-iam-policy-binding "$EVENTS_SA" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/iam.serviceAccountTokenCreator "${G[@]}"

step "Link secret (Secret Manager): the key the hub also holds in AWS Secrets Manager"
if ! present gcloud secrets describe "$LINK_SECRET" "${G[@]}"; then
  run gcloud secrets create "$LINK_SECRET" --replication-policy=automatic --labels=app=meshgov "${G[@]}"
fi
if [ -n "$LINK_SECRET_FILE" ]; then
  run gcloud secrets versions add "$LINK_SECRET" --data-file="$LINK_SECRET_FILE" "${G[@]}"
elif $PLAN; then
  note "no --link-secret-file: make the key once, without a newline, and give the same bytes to the hub:"
  note "  openssl rand -hex 32 | tr -d '\\n' > link.key"
  note "  gcloud secrets versions add $LINK_SECRET --data-file=link.key --project=$PROJECT"
elif [ -z "$(gcloud secrets versions list "$LINK_SECRET" --filter=state:ENABLED --limit=1 --format='value(name)' "${G[@]}")" ]; then
  die "secret $LINK_SECRET has no enabled version: 'openssl rand -hex 32 | tr -d \"\\n\" > link.key', store link.key in AWS Secrets Manager for the hub (MESHGOV_LINK_SECRET_ARN), then pass --link-secret-file link.key"
fi
run_iam gcloud secrets add-iam-policy-binding "$LINK_SECRET" --member="serviceAccount:$AGENT_SA" --role=roles/secretmanager.secretAccessor "${G[@]}"

step "Pub/Sub topics"
for topic in "$CHANGES_TOPIC" "$SCHEDULE_TOPIC" "$INCIDENTS_TOPIC" "$DEAD_LETTER_TOPIC"; do
  if ! present gcloud pubsub topics describe "$topic" "${G[@]}"; then
    run gcloud pubsub topics create "$topic" --labels=app=meshgov "${G[@]}"
  fi
done
note "keeps what failed $MAX_DELIVERY_ATTEMPTS times for a week, for a person to look at and replay"
if ! present gcloud pubsub subscriptions describe "$DEAD_LETTER_HOLD" "${G[@]}"; then
  run gcloud pubsub subscriptions create "$DEAD_LETTER_HOLD" --topic="$DEAD_LETTER_TOPIC" --message-retention-duration=7d --expiration-period=never "${G[@]}"
fi
run_iam gcloud pubsub topics add-iam-policy-binding "$DEAD_LETTER_TOPIC" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.publisher "${G[@]}"

step "Log sink: GKE audit entries for Istio kinds and Namespaces -> $CHANGES_TOPIC"
if present gcloud logging sinks describe "$SINK" "${G[@]}"; then
  run gcloud logging sinks update "$SINK" "pubsub.googleapis.com/projects/$PROJECT/topics/$CHANGES_TOPIC" --log-filter="$LOG_FILTER" "${G[@]}"
else
  run gcloud logging sinks create "$SINK" "pubsub.googleapis.com/projects/$PROJECT/topics/$CHANGES_TOPIC" --log-filter="$LOG_FILTER" \
    --description="meshgov: Istio configuration changes on $CLUSTER" "${G[@]}"
fi
SINK_WRITER=$(capture SINK_WRITER_IDENTITY gcloud logging sinks describe "$SINK" --format='value(writerIdentity)' "${G[@]}")
run_iam gcloud pubsub topics add-iam-policy-binding "$CHANGES_TOPIC" --member="$SINK_WRITER" --role=roles/pubsub.publisher "${G[@]}"

step "Cloud Monitoring notification channel: incidents of the SLO alert policies -> $INCIDENTS_TOPIC"
# One channel per topic: a second run finds the first one by its topic label.
CHANNEL=""
if ! $PLAN; then
  CHANNEL=$(gcloud beta monitoring channels list --filter="type=pubsub AND labels.topic=$INCIDENTS_TOPIC_PATH" --format='value(name)' "${G[@]}" | head -n 1)
fi
if [ -z "$CHANNEL" ]; then
  CHANNEL=$(run_capture NOTIFICATION_CHANNEL gcloud beta monitoring channels create --type=pubsub --display-name="meshgov SLO incidents ($CLUSTER)" \
    --description="meshgov: Cloud Monitoring incidents of the Istio SLO alert policies, for istioAlertFired" \
    --channel-labels="topic=$INCIDENTS_TOPIC_PATH" --format='value(name)' "${G[@]}")
fi
note "Cloud Monitoring publishes as its notification service agent, which it creates with the project's first Pub/Sub channel: granted after the channel."
run_iam gcloud pubsub topics add-iam-policy-binding "$INCIDENTS_TOPIC" --member="serviceAccount:$MONITORING_NOTIFICATION_AGENT" --role=roles/pubsub.publisher "${G[@]}"

step "Cluster endpoint and CA (the functions reach the Kubernetes API with their own token)"
ENDPOINT_FIELD=endpoint
[ -n "$VPC_CONNECTOR" ] && ENDPOINT_FIELD=privateClusterConfig.privateEndpoint
GKE_ENDPOINT=$(capture GKE_ENDPOINT gcloud container clusters describe "$CLUSTER" --location="$LOCATION" --format="value($ENDPOINT_FIELD)" "${G[@]}")
GKE_CA_CERT=$(capture GKE_CA_CERT gcloud container clusters describe "$CLUSTER" --location="$LOCATION" --format='value(masterAuth.clusterCaCertificate)' "${G[@]}")

step "Kubernetes RBAC for $AGENT_SA (what the agent may read and change inside $CLUSTER)"
RBAC_TEMPLATE="$(dirname "$0")/rbac.yaml"
RBAC=$(sed -e "s|__MESHGOV_AGENT_SA__|$AGENT_SA|g" -e "s|__ISTIO_NAMESPACE__|$ISTIO_NAMESPACE|g" "$RBAC_TEMPLATE")
run gcloud container clusters get-credentials "$CLUSTER" --location="$LOCATION" "${G[@]}"
echo "kubectl apply -f - <<'RBAC'"
echo "$RBAC"
echo "RBAC"
if ! $PLAN; then
  if command -v kubectl >/dev/null 2>&1; then
    echo "$RBAC" | kubectl apply -f -
  else
    note "kubectl is not on PATH: apply the RBAC above yourself, as a cluster admin."
  fi
fi

step "Functions (2nd gen, $RUNTIME, source $SOURCE)"
ENV_VARS="MESHGOV_HUB_URL: '$HUB_URL'
MESHGOV_GCP_PROJECT: '$PROJECT'
MESHGOV_GKE_CLUSTER: '$CLUSTER'
MESHGOV_GKE_LOCATION: '$LOCATION'
MESHGOV_GKE_ENDPOINT: '$GKE_ENDPOINT'
MESHGOV_GKE_CA_CERT: '$GKE_CA_CERT'
MESHGOV_AGENT_SA: '$AGENT_SA'
MESHGOV_ISTIO_ROOT_NAMESPACE: '$ISTIO_NAMESPACE'
MESHGOV_PROMETHEUS_URL: '$PROMETHEUS_URL'
MESHGOV_DRY_RUN: '$DRY_RUN'
NODE_OPTIONS: '--enable-source-maps'"
if $PLAN; then
  ENV_FILE=meshgov-agent-env.yaml
else
  ENV_FILE=$(mktemp "${TMPDIR:-/tmp}/meshgov-agent-env.XXXXXX")
  trap 'rm -f "$ENV_FILE"' EXIT
  echo "$ENV_VARS" >"$ENV_FILE"
fi
echo "cat > $ENV_FILE <<'ENV'"
echo "$ENV_VARS"
echo "ENV"

COMMON=(--gen2 --runtime="$RUNTIME" --region="$REGION" --source="$SOURCE" --service-account="$AGENT_SA"
  --build-service-account="projects/$PROJECT/serviceAccounts/$BUILD_SA"
  --env-vars-file="$ENV_FILE" --set-secrets="MESHGOV_LINK_SECRET=$LINK_SECRET:latest" "${G[@]}")
[ -n "$VPC_CONNECTOR" ] && COMMON+=(--vpc-connector="$VPC_CONNECTOR" --egress-settings=private-ranges-only)

note "--retry: a failed run (hub or cluster unreachable, a message that cannot be read) is redelivered by Pub/Sub instead of dropped."
run gcloud functions deploy istioConfigChanged "${COMMON[@]}" --entry-point=istioConfigChanged \
  --trigger-topic="$CHANGES_TOPIC" --trigger-service-account="$EVENTS_SA" --retry \
  --no-allow-unauthenticated --memory=512Mi --timeout=300s --max-instances=10
run gcloud functions deploy istioScheduledAudit "${COMMON[@]}" --entry-point=istioScheduledAudit \
  --trigger-topic="$SCHEDULE_TOPIC" --trigger-service-account="$EVENTS_SA" --retry \
  --no-allow-unauthenticated --memory=1Gi --timeout=540s --max-instances=1
note "Cloud Monitoring incidents (notification 1.2): confirms the burn with a fresh PromQL query and reports to the hub."
run gcloud functions deploy istioAlertFired "${COMMON[@]}" --entry-point=istioAlertFired \
  --trigger-topic="$INCIDENTS_TOPIC" --trigger-service-account="$EVENTS_SA" --retry \
  --no-allow-unauthenticated --memory=512Mi --timeout=120s --max-instances=10
if [ -n "$EXECUTE_INVOKER" ]; then
  run gcloud functions deploy executeRemediation "${COMMON[@]}" --entry-point=executeRemediation \
    --trigger-http --no-allow-unauthenticated --memory=512Mi --timeout=120s --max-instances=1 --concurrency=1
  run_iam gcloud functions add-invoker-policy-binding executeRemediation --region="$REGION" --member="$EXECUTE_INVOKER" "${G[@]}"
else
  note "public URL on purpose: the hub signs with the link key and has no Google identity (see the header)."
  run gcloud functions deploy executeRemediation "${COMMON[@]}" --entry-point=executeRemediation \
    --trigger-http --allow-unauthenticated --memory=512Mi --timeout=120s --max-instances=1 --concurrency=1
fi
for fn in istioConfigChanged istioScheduledAudit istioAlertFired; do
  run_iam gcloud functions add-invoker-policy-binding "$fn" --region="$REGION" --member="serviceAccount:$EVENTS_SA" "${G[@]}"
done

step "Dead-lettering on the Eventarc push subscriptions (bounded redelivery)"
# For a push subscription the ack deadline is the push request's timeout, and each deadline
# exceeded counts as a delivery attempt (Pub/Sub DeadLetterPolicy): shorter than a run, it would
# redeliver a message still being handled and dead-letter it after 20 of those. Cloud Run's
# Pub/Sub push guide asks for the 600 s maximum (run/docs/events/pubsub-push, ack deadline).
for fn in istioConfigChanged istioScheduledAudit istioAlertFired; do
  TRIGGER=$(capture "${fn}_TRIGGER" gcloud functions describe "$fn" --gen2 --region="$REGION" --format='value(eventTrigger.trigger)' "${G[@]}")
  SUBSCRIPTION=$(capture "${fn}_SUBSCRIPTION" gcloud eventarc triggers describe "$TRIGGER" --location="$REGION" --format='value(transport.pubsub.subscription)' "${G[@]}")
  run gcloud pubsub subscriptions update "$SUBSCRIPTION" --dead-letter-topic="projects/$PROJECT/topics/$DEAD_LETTER_TOPIC" \
    --max-delivery-attempts="$MAX_DELIVERY_ATTEMPTS" --min-retry-delay=10s --max-retry-delay=600s \
    --ack-deadline="$ACK_DEADLINE_SECONDS" "${G[@]}"
  run_iam gcloud pubsub subscriptions add-iam-policy-binding "$SUBSCRIPTION" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.subscriber "${G[@]}"
done

step "Alert policies for the Istio SLOs of the deployed rules ($SOURCE/rules), notifying $CHANNEL"
# The same rules the functions read, so each incident names an SLO the agent knows.
RULES_DIR="$SOURCE/rules"
$PLAN || [ -d "$RULES_DIR" ] || RULES_DIR=rules
# npm's own notice of a newer npm is not this deployment's output (and, on stderr, reads as a failure).
export npm_config_update_notifier=false
run npx --no-install tsx .ci/scripts/generate-alert-policies.ts --rules "$RULES_DIR" --out "$ALERT_POLICIES" --notification-channel "$CHANNEL"
policy_files=()
for file in "$ALERT_POLICIES"/*.json; do [ -e "$file" ] && policy_files+=("$file"); done
if [ ${#policy_files[@]} -eq 0 ]; then
  if $PLAN; then note "then one 'gcloud alpha monitoring policies create --policy-from-file=$ALERT_POLICIES/<slo>.json' per Istio SLO (none generated yet)"
  else note "the rules declare no Istio SLO: no alert policy"; fi
fi
for file in "${policy_files[@]}"; do
  slo=${file##*/}
  slo=${slo%.json}
  # The policy's user label meshgov-slo names its SLO: a second run updates it in place.
  existing=""
  $PLAN || existing=$(gcloud alpha monitoring policies list --filter="userLabels.meshgov-slo=$slo" --format='value(name)' "${G[@]}" | head -n 1)
  if [ -n "$existing" ]; then
    run gcloud alpha monitoring policies update "$existing" --policy-from-file="$file" "${G[@]}"
  else
    run gcloud alpha monitoring policies create --policy-from-file="$file" "${G[@]}"
  fi
done

step "Cloud Scheduler: full audit on '$SCHEDULE' ($TIME_ZONE)"
if present gcloud scheduler jobs describe "$JOB" --location="$REGION" "${G[@]}"; then
  run gcloud scheduler jobs update pubsub "$JOB" --location="$REGION" --schedule="$SCHEDULE" --time-zone="$TIME_ZONE" \
    --topic="$SCHEDULE_TOPIC" --message-body="$SCHEDULER_MESSAGE" --update-attributes=meshgov-job=nightly-audit "${G[@]}"
else
  run gcloud scheduler jobs create pubsub "$JOB" --location="$REGION" --schedule="$SCHEDULE" --time-zone="$TIME_ZONE" \
    --topic="$SCHEDULE_TOPIC" --message-body="$SCHEDULER_MESSAGE" --attributes=meshgov-job=nightly-audit \
    --description="meshgov: nightly full audit of Istio on $CLUSTER" "${G[@]}"
fi

step "For the hub"
AGENT_URL=$(capture EXECUTE_REMEDIATION_URL gcloud functions describe executeRemediation --gen2 --region="$REGION" --format='value(serviceConfig.uri)' "${G[@]}")
note "set MESHGOV_AGENT_URL=$AGENT_URL on the hub, with the same link key behind MESHGOV_LINK_SECRET_ARN."
$PLAN && note "end of plan: nothing was changed."
exit 0
