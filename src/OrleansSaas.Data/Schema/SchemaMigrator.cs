using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansSaas.Data.Schema;

/// <summary>
/// Applies the embedded schema/*.sql scripts in name order, each in its own transaction, and records
/// each one in schema_migrations. A session-level advisory lock serialises migrators, so silos that
/// start together apply every script exactly once; re-running is a no-op.
/// </summary>
public sealed class SchemaMigrator(string connectionString, ILogger<SchemaMigrator> logger)
{
    // Arbitrary but fixed: every migrator of this product contends for the same lock.
    private const long AdvisoryLockKey = 0x4F5253_4D4947;

    public static IReadOnlyList<(string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Returns the names of the scripts this call applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name       text        PRIMARY KEY,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var ran = new List<string>();
            foreach (var (name, sql) in Scripts)
            {
                var checksum = Checksum(sql);
                if (applied.TryGetValue(name, out var recorded))
                {
                    if (recorded != checksum)
                        throw new InvalidOperationException($"Schema script {name} changed after it was applied; add a new script instead.");
                    continue;
                }
                await ApplyAsync(connection, name, sql, checksum, cancellationToken);
                ran.Add(name);
                logger.LogInformation("Applied schema script {Script}", name);
            }
            return ran;
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, string name, string sql, string checksum, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var script = new NpgsqlCommand(sql, connection, transaction))
            await script.ExecuteNonQueryAsync(cancellationToken);
        await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (name, checksum) VALUES (@name, @checksum)", connection, transaction))
        {
            record.Parameters.AddWithValue("name", name);
            record.Parameters.AddWithValue("checksum", checksum);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<Dictionary<string, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT name, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            applied[reader.GetString(0)] = reader.GetString(1);
        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Checksum(string sql) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));

    private static List<(string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith("schema/", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                return (name["schema/".Length..], reader.ReadToEnd());
            })
            .ToList();
    }
}
