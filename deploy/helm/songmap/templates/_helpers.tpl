{{/* Names and labels shared by every template. */}}
{{- define "songmap.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "songmap.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "songmap.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "songmap.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "songmap.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secrets" (include "songmap.fullname" .)) -}}
{{- end -}}

{{- define "songmap.artifactsClaim" -}}
{{- .Values.artifacts.persistence.existingClaim | default (printf "%s-artifacts" (include "songmap.fullname" .)) -}}
{{- end -}}

{{- define "songmap.tritonTarget" -}}
{{- if eq .Values.inference.mode "triton" -}}
{{ include "songmap.fullname" . }}-triton:8001
{{- else if eq .Values.inference.mode "cpu-server" -}}
{{ include "songmap.fullname" . }}-cpu-server:8001
{{- else -}}
{{- fail (printf "inference.mode must be triton or cpu-server, not %q" .Values.inference.mode) -}}
{{- end -}}
{{- end -}}

{{/* The environment of every Songmap role: the shared ConfigMap, the Secret, and the pod's name as owner id. */}}
{{- define "songmap.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "songmap.fullname" . }}-config
  - secretRef:
      name: {{ include "songmap.secretName" . }}
env:
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: SONGMAP_RELAY_OWNER
    value: "$(POD_NAME)"
  - name: SONGMAP_GATEWAY_OWNER
    value: "$(POD_NAME)"
{{- end -}}

{{/* The artifact volume, when artifacts are stored locally. */}}
{{- define "songmap.artifactVolumeMount" -}}
{{- if eq .Values.artifacts.store "local" }}
volumeMounts:
  - name: artifacts
    mountPath: /var/lib/songmap/artifacts
  - name: work
    mountPath: /tmp
{{- else }}
volumeMounts:
  - name: work
    mountPath: /tmp
{{- end }}
{{- end -}}

{{- define "songmap.artifactVolume" -}}
volumes:
  - name: work
    emptyDir: {}
{{- if eq .Values.artifacts.store "local" }}
  - name: artifacts
    persistentVolumeClaim:
      claimName: {{ include "songmap.artifactsClaim" . }}
{{- end }}
{{- end -}}

{{- define "songmap.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
