using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansSaas.Data.Schema;
using OrleansSaas.Hosting;
using OrleansSaas.Observability;
using OrleansSaas.Silo;
using OrleansSaas.Silo.Health;
using OrleansSaas.Silo.Observability;

// appsettings.json is read from the app's own folder, however and from wherever the host is started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// NAME_FILE environment variables: secrets read from files (see SecretFiles).
builder.Configuration.AddSecretFiles();
builder.AddSiloTelemetry();

var connectionString = builder.Configuration.GetConnectionString("Postgres");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("ConnectionStrings:Postgres is required (e.g. ConnectionStrings__Postgres=\"Host=127.0.0.1;Port=5544;Database=orleanssaas;Username=app\").");
    return 2;
}

var hostOptions = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(hostOptions, new(hostOptions), problems, validateAllProperties: true))
{
    Console.Error.WriteLine("Invalid silo configuration: " + string.Join("; ", problems.Select(p => p.ErrorMessage)));
    return 2;
}

builder.Services.AddOptions<SiloHostOptions>().Bind(builder.Configuration.GetSection(SiloHostOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSiloHealth();
// A small HTTP listener for health probes and the operators' pages; all client traffic goes through the gateway.
// On loopback too, where the operators' pages are served by default (see OperatorAccess).
var httpUrl = $"http://{hostOptions.AdvertisedAddress}:{hostOptions.HttpPort}";
builder.WebHost.UseUrls(IPAddress.IsLoopback(IPAddress.Parse(hostOptions.AdvertisedAddress)) ? [httpUrl] : [httpUrl, $"http://127.0.0.1:{hostOptions.HttpPort}"]);

builder.UseOrleans(silo =>
{
    silo.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = hostOptions.ClusterId;
        o.ServiceId = hostOptions.ServiceId;
    });
    silo.ConfigureEndpoints(IPAddress.Parse(hostOptions.AdvertisedAddress), hostOptions.SiloPort, hostOptions.GatewayPort, listenOnAnyHostAddress: false);
    // Failure detection speed is a trade-off against false suspicion; see README "Failover".
    silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Membership"));
    silo.UseAdoNetClustering(o =>
    {
        o.Invariant = "Npgsql";
        o.ConnectionString = connectionString;
    });
    // The official Orleans dashboard, served by every silo on its HTTP port under /dashboard (operators' network only).
    silo.AddDashboard();
    // Storage, reminders, directory, call filters and every feature: the same call as the in-process test cluster's.
    silo.AddOrleansSaas(builder.Configuration, connectionString);
});

var host = builder.Build();
host.UseOperatorAccess();
host.MapSiloHealth();
host.MapOrleansSaasMetrics();
host.MapOrleansDashboard(routePrefix: "/dashboard");
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansSaas.Silo");

// The Orleans providers read their SQL from the schema, so it must be in place before the silo starts.
await MigrateWithRetryAsync(connectionString, host.Services.GetRequiredService<ILoggerFactory>().CreateLogger<SchemaMigrator>());

host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    logger.LogInformation("Silo is active: {Silo} (cluster {ClusterId}, gateway port {GatewayPort}, health on port {HttpPort})",
        host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString(), hostOptions.ClusterId, hostOptions.GatewayPort, hostOptions.HttpPort));

await host.RunAsync();
return 0;

static async Task MigrateWithRetryAsync(string connectionString, ILogger<SchemaMigrator> logger)
{
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            await new SchemaMigrator(connectionString, logger).MigrateAsync();
            return;
        }
        catch (NpgsqlException error) when (attempt < 30 && error.IsTransient)
        {
            logger.LogWarning("PostgreSQL not reachable yet ({Message}); retrying", error.Message);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
