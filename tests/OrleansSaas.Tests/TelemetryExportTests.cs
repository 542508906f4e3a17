using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

/// <summary>
/// A cluster exporting to a stand-in OTLP collector, with JSON console logs on the gateway, that has served one
/// send: a new tenant pairs two sessions and one sends a message to the other.
/// </summary>
public sealed class ExportingClusterFixture : IAsyncLifetime
{
    public OtlpReceiver Collector { get; } = OtlpReceiver.Start();
    public TestCluster Cluster { get; private set; } = null!;
    public string TenantId { get; private set; } = "";
    public string ApiKey { get; private set; } = "";
    public string SenderSession { get; private set; } = "";
    public string Text { get; } = $"trace probe {Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        // Export within a fraction of a second instead of the production batching delays.
        var quickExport = new Dictionary<string, string>
        {
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };
        // The silo is configured through our option, the gateway through the standard variables: both paths are covered.
        var silo = new Dictionary<string, string>(quickExport) { ["Telemetry__OtlpEndpoint"] = Collector.Url.ToString(), ["Telemetry__OtlpProtocol"] = "HttpProtobuf" };
        var gateway = new Dictionary<string, string>(quickExport)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Url.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["Telemetry__LogFormat"] = "Json",
            // Routing logs "Executing endpoint" inside the request's tenant scope.
            ["Logging__LogLevel__Microsoft.AspNetCore.Routing"] = "Information",
        };
        Cluster = await TestCluster.StartAsync(silos: 1, silo, gateway);

        var (tenantId, client) = await Cluster.CreateTenantClientAsync();
        using var _ = client;
        TenantId = tenantId;
        ApiKey = client.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        SenderSession = await client.CreatePairedSessionAsync("+12015550891");
        await client.CreatePairedSessionAsync("+12015550892");
        await client.SendTextAsync(SenderSession, "+12015550892", Text);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Collector.Dispose();
    }
}

public sealed class TelemetryExportTests(ExportingClusterFixture fixture) : IClassFixture<ExportingClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_send_is_traced_from_the_gateway_through_the_session_grain_to_PostgreSQL_with_tenant_and_session_ids()
    {
        var sender = fixture.SenderSession;
        bool IsSend(ExportedSpan s) => s.Service == "orleanssaas-gateway" && s.Attributes.GetValueOrDefault("http.route") == "/v1/sessions/{sessionId}/messages/"
            && s.Attributes.GetValueOrDefault("http.request.method") == "POST" && s.Attributes.GetValueOrDefault("session.id") == sender;
        var spans = await Api.EventuallyAsync(() => Task.FromResult(fixture.Collector.Spans()), all => all.Any(IsSend), Patience, "the gateway's span of the send");
        var request = spans.First(IsSend);
        Assert.Equal(fixture.TenantId, request.Attributes["tenant.id"]);

        // The same trace continues on the silo: the session grain's Send, and under it the INSERT into PostgreSQL.
        ExportedSpan? GrainCall(List<ExportedSpan> trace) => trace.FirstOrDefault(s => s.Service == "orleanssaas-silo"
            && s.Scope.StartsWith("Microsoft.Orleans.", StringComparison.Ordinal) && s.Name == "ISessionGrain/Send");
        var trace = await Api.EventuallyAsync(() => Task.FromResult(fixture.Collector.Spans().Where(s => s.TraceId == request.TraceId).ToList()),
            t => GrainCall(t) is { } call && t.Any(s => s.Scope == "Npgsql" && s.ParentSpanId == call.SpanId), Patience,
            "the session grain's Send span and its PostgreSQL span in the request's trace");
        var grainCall = GrainCall(trace)!;
        Assert.Equal(fixture.TenantId, grainCall.Attributes["tenant.id"]);
        Assert.Equal(sender, grainCall.Attributes["session.id"]);
        Assert.Contains(trace, s => s.Scope == "Npgsql" && s.ParentSpanId == grainCall.SpanId
            && s.Attributes.Values.Any(v => v.Contains("INSERT INTO messages", StringComparison.Ordinal)));
    }

    [Fact]
    public void Gateway_logs_are_JSON_with_the_tenant_and_session_of_the_request_in_their_scopes()
    {
        var scoped = fixture.Cluster.Diagnostics().Split('\n')
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonNode.Parse(line)!)
            .Where(entry => entry["Scopes"]?.AsArray().Any(scope => (string?)scope?["TenantId"] == fixture.TenantId
                && (string?)scope?["SessionId"] == fixture.SenderSession) == true)
            .ToList();
        Assert.NotEmpty(scoped);
        Assert.All(scoped, entry => Assert.NotNull((string?)entry["Category"]));
    }

    [Fact]
    public async Task Nothing_exported_carries_the_API_key_or_the_message_text()
    {
        // Wait for the send's export, so the check covers traces, metrics and logs of real traffic.
        await Api.EventuallyAsync(() => Task.FromResult(fixture.Collector.Spans()), all => all.Any(s => s.Name == "ISessionGrain/Send"), Patience, "the send's spans");
        var exported = fixture.Collector.AllPayloadText();
        Assert.Contains(fixture.SenderSession, exported);
        Assert.DoesNotContain(fixture.ApiKey, exported);
        Assert.DoesNotContain(fixture.Text, exported);
    }
}
