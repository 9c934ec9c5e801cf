{{/* Chart name, overridable. */}}
{{- define "mazevault-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name: the release name when it already contains the chart name, so the seed's
     `helm upgrade --install mazevault-gateway ...` makes deployment/mazevault-gateway. */}}
{{- define "mazevault-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mazevault-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector of the gateway pod (Deployment, Service). Immutable on a Deployment, so minimal. */}}
{{- define "mazevault-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mazevault-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end }}

{{/* `app` matches the runbook's `kubectl get pods -l app=mazevault-gateway`. */}}
{{- define "mazevault-gateway.labels" -}}
helm.sh/chart: {{ include "mazevault-gateway.chart" . }}
app: {{ include "mazevault-gateway.fullname" . }}
app.kubernetes.io/part-of: mazevault
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{ include "mazevault-gateway.selectorLabels" . }}
{{- end }}

{{- define "mazevault-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (printf "%s-sa" (include "mazevault-gateway.fullname" .)) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mazevault-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The Secret holding MASTER_KEY, DATABASE_URL, REDIS_URL, GATEWAY_BOOTSTRAP_TOKEN: the one the CSI
     driver syncs from the Gateway Key Vault, else existingSecret. */}}
{{- define "mazevault-gateway.secretName" -}}
{{- if .Values.secretProviderClass.enabled }}
{{- printf "%s-config" (include "mazevault-gateway.fullname" .) }}
{{- else }}
{{- required "existingSecret is required without secretProviderClass.enabled: a Secret with MASTER_KEY, DATABASE_URL, REDIS_URL, GATEWAY_BOOTSTRAP_TOKEN" .Values.existingSecret }}
{{- end }}
{{- end }}

{{/* Non-secret env: the chart's wiring, then .Values.env (name/value pairs, the seed's form). An
     AZURE_MANAGED_IDENTITY_CLIENT_ID left as the seed's "<mi-client-id>" placeholder takes the
     ServiceAccount's Workload Identity client id: the same Managed Identity. */}}
{{- define "mazevault-gateway.env" -}}
{{- $mi := index .Values.serviceAccount.annotations "azure.workload.identity/client-id" | default "" -}}
- name: MAZEVAULT_MODE
  value: "gateway"
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: "8443"
- name: PRIMARY_BACKEND_URL
  value: {{ required "primaryBackendUrl is required: the Primary's gateway listener, e.g. https://primary.example.com:8443" .Values.primaryBackendUrl | quote }}
{{- if .Values.tls.existingSecret }}
- name: TLS_CERT_FILE
  value: /etc/mazevault/tls/tls.crt
- name: TLS_KEY_FILE
  value: /etc/mazevault/tls/tls.key
{{- end }}
{{- range .Values.env }}
- name: {{ .name }}
  {{- if and (eq .name "AZURE_MANAGED_IDENTITY_CLIENT_ID") (hasPrefix "<" (toString .value)) }}
  value: {{ $mi | quote }}
  {{- else }}
  value: {{ .value | toString | quote }}
  {{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
