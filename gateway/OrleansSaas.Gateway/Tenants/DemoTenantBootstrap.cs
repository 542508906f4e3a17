using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Gateway.Auth;

namespace OrleansSaas.Gateway.Tenants;

/// <summary>
/// Creates the demo tenant on first run (with the largest plan) and keeps its plain key (with every scope) in a
/// local file, so the run command can print it every time while the cluster stores only its hash. The key itself
/// is never logged.
/// </summary>
public sealed class DemoTenantBootstrap(IClusterClient cluster, IOptions<DemoTenantOptions> options, ILogger<DemoTenantBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        var tenant = cluster.GetGrain<ITenantGrain>(DemoTenantOptions.TenantId);
        if (await tenant.Create("Demo tenant", DemoTenantOptions.Plan) is null)
        {
            logger.LogWarning("The demo tenant was deleted by an operator; it is not recreated and no demo key is issued");
            return;
        }

        var keyFile = Path.GetFullPath(options.Value.KeyFile);
        if (File.Exists(keyFile) && await StillValidAsync(await File.ReadAllTextAsync(keyFile, cancellationToken))) return;
        var issued = await tenant.IssueApiKey(new ApiKeySpec("demo", Scopes.All))
            ?? throw new InvalidOperationException("The demo tenant disappeared while its key was issued.");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, issued.Key + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        logger.LogInformation("Issued demo API key {KeyId}; the key is in {KeyFile}", issued.KeyId, keyFile);
    }

    // A key file from an earlier database (wiped data folder), a revoked key, or one from before keys had
    // scopes must not be printed as if it could do everything.
    private async Task<bool> StillValidAsync(string plainKey) =>
        ApiKeyFormat.TryParse(plainKey.Trim(), out var keyId, out var hash)
        && await cluster.GetGrain<IApiKeyGrain>(keyId).Authenticate(hash) is { TenantId: DemoTenantOptions.TenantId } grant
        && Scopes.All.All(grant.Scopes.Contains);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
