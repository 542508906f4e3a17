using Microsoft.Extensions.Configuration;

namespace OrleansSaas.Observability;

/// <summary>
/// Secrets from files (Docker/Kubernetes secrets, systemd credentials): an environment variable
/// <c>NAME_FILE=/path</c> sets the setting <c>NAME</c> (with <c>__</c> for <c>:</c>, as for any environment
/// variable; only names with a section, so others' *_FILE variables are left alone) to the file's contents
/// without the trailing newline, e.g. <c>Admin__ApiKey_FILE</c>,
/// <c>Security__CredentialKey_FILE</c>, <c>ConnectionStrings__Postgres_FILE</c>. Added after the environment,
/// so the file wins over a plain variable of the same name. A named file that cannot be read stops the start.
/// </summary>
public static class SecretFiles
{
    private const string Suffix = "_FILE";

    public static IConfigurationBuilder AddSecretFiles(this IConfigurationBuilder configuration)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            // Only section paths (Section__Key_FILE): other programs' *_FILE variables (e.g. TF_CLI_CONFIG_FILE) are not ours.
            if (!name.EndsWith(Suffix, StringComparison.Ordinal) || !name.Contains("__", StringComparison.Ordinal)) continue;
            var path = (string?)variable.Value;
            if (string.IsNullOrWhiteSpace(path)) continue;
            var key = name[..^Suffix.Length].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
            try
            {
                values[key] = File.ReadAllText(path).TrimEnd('\r', '\n');
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"{name} names {path}, which cannot be read: {error.Message}", error);
            }
        }
        return configuration.AddInMemoryCollection(values);
    }
}
