using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace OrleansSaas.Observability;

/// <summary>
/// What both hosts share: console logging with scopes, the OrleansSaas, Orleans and ASP.NET Core meters
/// behind a Prometheus endpoint, and — when an OTLP endpoint is configured — traces (HTTP → grain calls →
/// PostgreSQL), metrics and logs exported over OTLP. Each host adds its Orleans-specific part on top.
/// </summary>
public static class TelemetryRegistration
{
    public const string MetricsPath = "/metrics";

    // Probes, scrapes and the dashboard's polling would drown the request traces that matter.
    private static readonly PathString[] UntracedPaths = [MetricsPath, "/health", "/dashboard"];

    /// <param name="role">"silo" or "gateway": becomes the service name orleanssaas-{role}.</param>
    public static IHostApplicationBuilder AddOrleansSaasTelemetry(this IHostApplicationBuilder builder, string role)
    {
        var section = builder.Configuration.GetSection(TelemetryOptions.Section);
        builder.Services.AddOptions<TelemetryOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOperatorAccess(builder.Configuration);
        // Logging is set up before the host exists, so these settings are checked here, not only at start.
        var options = ReadValidated(section);

        AddConsole(builder.Logging, options.LogFormat);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService($"orleanssaas-{role}", serviceNamespace: "orleanssaas"))
            .WithMetrics(metrics => metrics
                .AddMeter(Telemetry.MeterName, "Microsoft.Orleans")
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());

        var endpoint = options.OtlpEndpoint ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return builder;

        // Spans cost time on every grain call and query; they are only recorded when something collects them.
        telemetry
            .WithTracing(tracing => tracing
                .SetSampler(new RequestRootedSampler())
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !UntracedPaths.Any(p => context.Request.Path.StartsWithSegments(p)))
                // All Orleans sources: Orleans files calls to interfaces in namespaces starting with "Orleans" — ours
                // (OrleansSaas.*) included — under its Runtime source rather than the Application one.
                .AddSource(ActivitySources.AllActivitySourceName)
                .AddNpgsql())
            .WithLogging(configureBuilder: null, configureOptions: o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
        if (options.OtlpEndpoint is { } configured)
            telemetry.UseOtlpExporter(options.OtlpProtocol, new Uri(configured));
        else
            telemetry.UseOtlpExporter(); // reads OTEL_EXPORTER_OTLP_* itself, protocol included
        return builder;
    }

    /// <summary>GET /metrics in the Prometheus text format. Anonymous: the series carry no tenant data (see <see cref="Telemetry"/>).</summary>
    public static IEndpointConventionBuilder MapOrleansSaasMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous().ExcludeFromDescription();

    private static void AddConsole(ILoggingBuilder logging, LogFormat format)
    {
        if (format == LogFormat.Json)
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        else
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
    }

    private static TelemetryOptions ReadValidated(IConfigurationSection section)
    {
        TelemetryOptions options;
        try
        {
            options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        }
        catch (InvalidOperationException error)
        {
            throw new OptionsValidationException(TelemetryOptions.Section, typeof(TelemetryOptions), [$"{TelemetryOptions.Section}: {error.Message}"]);
        }
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true))
            throw new OptionsValidationException(TelemetryOptions.Section, typeof(TelemetryOptions),
                problems.Select(p => $"{TelemetryOptions.Section}:{string.Join(",", p.MemberNames)}: {p.ErrorMessage}"));
        return options;
    }
}
