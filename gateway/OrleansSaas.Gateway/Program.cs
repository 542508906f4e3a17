using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Configuration;
using Orleans.Serialization;
using OrleansSaas.Contracts.Cluster;
using OrleansSaas.Data;
using OrleansSaas.Gateway;
using OrleansSaas.Gateway.Admin;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.CloudApi;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Diagnostics;
using OrleansSaas.Gateway.Documentation;
using OrleansSaas.Gateway.Engines;
using OrleansSaas.Gateway.Events;
using OrleansSaas.Gateway.Health;
using OrleansSaas.Gateway.Json;
using OrleansSaas.Gateway.Media;
using OrleansSaas.Gateway.Messaging;
using OrleansSaas.Gateway.Observability;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Quotas;
using OrleansSaas.Gateway.Sessions;
using OrleansSaas.Gateway.Simulation;
using OrleansSaas.Gateway.Tenants;
using OrleansSaas.Gateway.Webhooks;
using OrleansSaas.Gateway.WebConsole;
using OrleansSaas.Observability;
using OrleansSaas.Outbound;

// appsettings.json is read from the app's own folder, however and from wherever the host is started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// NAME_FILE environment variables: secrets read from files (see SecretFiles).
builder.Configuration.AddSecretFiles();
builder.AddGatewayTelemetry();
builder.Services.AddRequestLogging();

var connectionString = builder.Configuration.GetConnectionString("Postgres");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("ConnectionStrings:Postgres is required (e.g. ConnectionStrings__Postgres=\"Host=127.0.0.1;Port=5544;Database=orleanssaas;Username=app\").");
    return 2;
}
var cluster = builder.Configuration.GetSection(ClusterConnectionOptions.Section).Get<ClusterConnectionOptions>() ?? new ClusterConnectionOptions();

builder.UseOrleansClient(client =>
{
    client.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = cluster.ClusterId;
        o.ServiceId = cluster.ServiceId;
    });
    client.Services.Configure<ExceptionSerializationOptions>(DatabaseFailure.AllowOnTheWire);
    client.UseAdoNetClustering(o =>
    {
        o.Invariant = "Npgsql";
        o.ConnectionString = connectionString;
    });
    var giveUpAt = DateTimeOffset.UtcNow + cluster.ConnectTimeout;
    client.UseConnectionRetryFilter(async (_, cancellationToken) =>
    {
        if (DateTimeOffset.UtcNow > giveUpAt) return false;
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return true;
    });
});

builder.Services.AddOptions<ClusterConnectionOptions>().Bind(builder.Configuration.GetSection(ClusterConnectionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddAppData(connectionString);
builder.Services.AddMedia();
builder.Services.AddMemoryCache();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
{
    // Framework-made problems (unknown route, wrong method) get our stable types too.
    if (ctx.ProblemDetails.Type is null || ctx.ProblemDetails.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal))
        ctx.ProblemDetails.Type = ctx.ProblemDetails.Status switch
        {
            404 => ProblemTypes.NotFound,
            401 => ProblemTypes.Unauthorized,
            _ => ProblemTypes.MalformedBody,
        };
});
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddApiKeyAuthentication();
builder.Services.AddAuthorizationBuilder().AddScopePolicies();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    // A misspelt field is an error, not silently ignored.
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    // {"to": A, "to": B} is ambiguous; refuse it rather than guess which one was meant.
    o.SerializerOptions.AllowDuplicateProperties = false;
    StrictNumbers.Apply(o.SerializerOptions);
});
// Unreadable bodies surface as exceptions so ProblemExceptionHandler can name the field.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.WebHost.ConfigureKestrel(o =>
{
    o.Limits.MaxRequestBodySize = 1024 * 1024;
    RequestHygiene.ConfigureKestrel(o);
});
builder.Services.AddApiDocumentation();
builder.Services.AddGatewayHealth();
builder.Services.AddRequestRateLimiting(builder.Configuration);
builder.Services.AddOptions<DemoTenantOptions>().Bind(builder.Configuration.GetSection(DemoTenantOptions.Section));
builder.Services.AddHostedService<DemoTenantBootstrap>();
builder.Services.AddTenantAdministration(builder.Configuration);
builder.Services.AddOptions<WebhookApiOptions>().Bind(builder.Configuration.GetSection(WebhookApiOptions.Section));
builder.Services.AddOutboundGuard(builder.Configuration);
builder.Services.AddAudit();

var app = builder.Build();
app.UseRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestHygiene();
app.UseOperatorAccess();
app.UseApiKeyAuthentication();
app.UseTenantTelemetry();
app.UseRequestRateLimiting();
app.UseAuthorization();

app.MapGet("/", () => TypedResults.Ok(new { name = "OrleansSaas gateway", api = "/v1", openApi = ApiDocumentation.DocumentPath, docs = ApiDocumentation.PagePath }))
    .ExcludeFromDescription();
app.MapApiDocumentation();
app.MapGatewayHealth();
app.MapOrleansSaasMetrics();
app.MapEngineEndpoints();
app.MapCloudApiWebhookEndpoints();
app.MapSessionEndpoints();
app.MapMessageEndpoints();
app.MapAdminEndpoints();
app.MapMediaEndpoints();
app.MapWebhookEndpoints();
app.MapEventEndpoints();
app.MapPingEndpoint();
app.MapAuditEndpoints();
app.MapUsageEndpoints();
app.MapConsole();
if (builder.Configuration.GetValue<bool>("Simulator:DevEndpoints")) app.MapSimulatorEndpoints();

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Gateway is ready on {Urls} (cluster {ClusterId})", string.Join(", ", app.Urls), cluster.ClusterId));
await app.RunAsync();
return 0;
