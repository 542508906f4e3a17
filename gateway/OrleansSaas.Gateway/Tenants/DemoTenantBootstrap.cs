using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Gateway.Tenants;

/// <summary>
/// Creates the demo tenant on first run and keeps its plain key in a local file, so the run command can
/// print it every time while the cluster stores only its hash. The key itself is never logged.
/// </summary>
public sealed class DemoTenantBootstrap(IClusterClient cluster, IOptions<DemoTenantOptions> options, ILogger<DemoTenantBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        var tenant = cluster.GetGrain<ITenantGrain>(DemoTenantOptions.TenantId);
        await tenant.Create("Demo tenant");

        var keyFile = Path.GetFullPath(options.Value.KeyFile);
        if (File.Exists(keyFile) && await StillValidAsync(await File.ReadAllTextAsync(keyFile, cancellationToken))) return;
        var issued = await tenant.IssueApiKey();
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, issued.Key + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        logger.LogInformation("Issued demo API key {KeyId}; the key is in {KeyFile}", issued.KeyId, keyFile);
    }

    // A key file from an earlier database (wiped data folder) must not be printed as if it worked.
    private async Task<bool> StillValidAsync(string plainKey) =>
        ApiKeyFormat.TryParse(plainKey.Trim(), out var keyId, out var hash)
        && await cluster.GetGrain<IApiKeyGrain>(keyId).Authenticate(hash) == DemoTenantOptions.TenantId;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
