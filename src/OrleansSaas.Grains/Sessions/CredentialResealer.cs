using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Engines.Web;
using OrleansSaas.Grains.Cluster;

namespace OrleansSaas.Grains.Sessions;

/// <summary>
/// During a credential-key rotation (Security:PreviousCredentialKeys set), re-seals under the current key every
/// sealed value in the tables that a previous key still opens, a batch at a time, while the cluster serves:
/// everything keeps opening throughout, since every silo opens with the previous keys too. A row is only
/// replaced if it still holds what was read, so a concurrent write by its owner wins. Session grains re-seal
/// their own state when they connect. Once a pass finds nothing left it says so: then the old keys can go.
/// </summary>
public sealed class CredentialResealer(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IHostApplicationLifetime lifetime,
    NpgsqlDataSource db,
    CredentialProtector protector,
    IOptions<SecurityOptions> options,
    ILogger<CredentialResealer> logger) : LeaderChore(membership, localSilo, lifetime)
{
    private const int BatchSize = 500;

    private sealed record SealedColumn(string Table, string[] Keys, string Column, Func<string[], string> Purpose);

    private static readonly SealedColumn[] Columns =
    [
        new("engine_state", ["tenant_id", "session_id"], "sealed", k => EngineStateStore.Purpose(SessionKey.Format(k[0], k[1]))),
        new("web_auth_creds", ["tenant_id", "session_id"], "sealed", k => WebAuthStore.CredsPurpose(SessionKey.Format(k[0], k[1]))),
        new("web_auth_keys", ["tenant_id", "session_id", "type", "id"], "sealed", k => WebAuthStore.KeyPurpose(SessionKey.Format(k[0], k[1]), k[2], k[3])),
        // A webhook's secrets are sealed under its grain's key.
        new("webhook_subscriptions", ["tenant_id", "id"], "secret", k => SessionKey.Format(k[0], k[1])),
        new("webhook_subscriptions", ["tenant_id", "id"], "previous_secret", k => SessionKey.Format(k[0], k[1])),
    ];

    private bool _reportedDone;

    protected override TimeSpan Interval => options.Value.ResealInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!protector.IsRotating) return;
        try
        {
            var resealed = 0;
            foreach (var column in Columns) resealed += await ResealAsync(column, cancellationToken);
            if (resealed > 0)
            {
                _reportedDone = false;
                logger.LogInformation("Re-sealed {Count} credential(s) under the current credential key", resealed);
            }
            else if (!_reportedDone)
            {
                _reportedDone = true;
                logger.LogInformation("Credential-key rotation: nothing in the tables is sealed under a previous key any more");
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "Re-sealing credentials failed; the next run retries");
        }
    }

    private async Task<int> ResealAsync(SealedColumn column, CancellationToken cancellationToken)
    {
        var keys = string.Join(", ", column.Keys);
        var after = string.Join(", ", column.Keys.Select((_, i) => $"@k{i}"));
        var select = $"SELECT {keys}, {column.Column} FROM {column.Table} WHERE {column.Column} IS NOT NULL AND ({keys}) > ({after}) ORDER BY {keys} LIMIT {BatchSize}";
        var first = $"SELECT {keys}, {column.Column} FROM {column.Table} WHERE {column.Column} IS NOT NULL ORDER BY {keys} LIMIT {BatchSize}";
        var update = $"UPDATE {column.Table} SET {column.Column} = @new WHERE {string.Join(" AND ", column.Keys.Select((k, i) => $"{k} = @k{i}"))} AND {column.Column} = @old";
        string[]? last = null;
        var resealed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var rows = new List<(string[] Key, byte[] Sealed)>();
            await using (var command = db.CreateCommand(last is null ? first : select))
            {
                for (var i = 0; last is not null && i < last.Length; i++) command.Parameters.AddWithValue($"k{i}", last[i]);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    rows.Add((column.Keys.Select((_, i) => reader.GetString(i)).ToArray(), reader.GetFieldValue<byte[]>(column.Keys.Length)));
            }
            foreach (var (key, sealedBox) in rows)
            {
                if (TryReseal(column, key, sealedBox) is not { } fresh) continue;
                await using var command = db.CreateCommand(update);
                for (var i = 0; i < key.Length; i++) command.Parameters.AddWithValue($"k{i}", key[i]);
                command.Parameters.AddWithValue("new", fresh);
                command.Parameters.AddWithValue("old", sealedBox);
                resealed += await command.ExecuteNonQueryAsync(cancellationToken);
            }
            if (rows.Count < BatchSize) break;
            last = rows[^1].Key;
        }
        return resealed;
    }

    // A value no configured key opens is left as it is (and named), so it cannot stop the rest of the rotation.
    private byte[]? TryReseal(SealedColumn column, string[] key, byte[] sealedBox)
    {
        try
        {
            return protector.Reseal(column.Purpose(key), sealedBox);
        }
        catch (System.Security.Cryptography.AuthenticationTagMismatchException)
        {
            logger.LogWarning("{Table}.{Column} of ({Key}) opens under no configured credential key", column.Table, column.Column, string.Join(", ", key));
            return null;
        }
    }
}
