{{/* Chart name, overridable. */}}
{{- define "mazevault-primary.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name: the release name when it already contains the chart name. */}}
{{- define "mazevault-primary.fullname" -}}
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

{{- define "mazevault-primary.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Identify the release's pods; every component adds its own app.kubernetes.io/component. */}}
{{- define "mazevault-primary.baseLabels" -}}
app.kubernetes.io/name: {{ include "mazevault-primary.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of the API pods (Deployment, Service, PDB, HPA). Immutable on a Deployment, so minimal.
     The component keeps the migration Job's pod out of the Service and the PDB. */}}
{{- define "mazevault-primary.selectorLabels" -}}
{{ include "mazevault-primary.baseLabels" . }}
app.kubernetes.io/component: api
{{- end }}

{{/* Labels that do not select anything. `app` matches the runbooks' `kubectl get pods -l app=...`. */}}
{{- define "mazevault-primary.metaLabels" -}}
helm.sh/chart: {{ include "mazevault-primary.chart" . }}
app: {{ include "mazevault-primary.fullname" . }}
app.kubernetes.io/part-of: mazevault
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels of the API's objects. */}}
{{- define "mazevault-primary.labels" -}}
{{ include "mazevault-primary.metaLabels" . }}
{{ include "mazevault-primary.selectorLabels" . }}
{{- end }}

{{- define "mazevault-primary.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (printf "%s-sa" (include "mazevault-primary.fullname" .)) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mazevault-primary.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "mazevault-primary.secretName" -}}
{{- required "existingSecret is required: create a Secret with DATABASE_URL, REDIS_URL, JWT_PRIVATE_KEY (and optionally TENANT_SALT) first" .Values.existingSecret }}
{{- end }}

{{/* Environment shared by the API and the migration Job. */}}
{{- define "mazevault-primary.env" -}}
{{- $secret := include "mazevault-primary.secretName" . -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: DATABASE_URL }
- name: REDIS_URL
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: REDIS_URL }
- name: JWT_PRIVATE_KEY
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: JWT_PRIVATE_KEY }
- name: TENANT_SALT
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: TENANT_SALT, optional: true }
- name: MASTER_KEY
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: MASTER_KEY, optional: true }
- name: MASTER_KEY_PREVIOUS
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: MASTER_KEY_PREVIOUS, optional: true }
- name: JWT_PREVIOUS_KEY
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: JWT_PREVIOUS_KEY, optional: true }
{{- range $key, $value := .Values.env }}
- name: {{ $key }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
