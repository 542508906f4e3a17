using System.ComponentModel.DataAnnotations;
using OpenTelemetry.Exporter;

namespace OrleansSaas.Observability;

public enum LogFormat
{
    /// <summary>One line per entry with its scopes, for people reading a terminal.</summary>
    Text,
    /// <summary>One JSON object per entry with its scopes as properties, for log collectors.</summary>
    Json,
}

/// <summary>Bound from the "Telemetry" section (TELEMETRY__* variables). Metrics are always on; exports are opt-in.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Console log format: Text (default) or Json.</summary>
    [EnumDataType(typeof(LogFormat))]
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary>
    /// Where to send traces, metrics and logs over OTLP. When empty, the standard OTEL_EXPORTER_OTLP_ENDPOINT
    /// variable is used (with OTEL_EXPORTER_OTLP_PROTOCOL and the other OTEL_* settings); when both are empty,
    /// nothing is exported and no traces are recorded.
    /// </summary>
    [Url]
    public string? OtlpEndpoint { get; set; }

    /// <summary>Protocol for <see cref="OtlpEndpoint"/>: Grpc (default, port 4317) or HttpProtobuf (port 4318).</summary>
    [EnumDataType(typeof(OtlpExportProtocol))]
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;
}
