namespace OrleansSaas.Tests.Infrastructure;

/// <summary>Where the silo and gateway built with this program live (same configuration as the program that asks).</summary>
public static class Artifacts
{
    public static string RepositoryRoot { get; } = FindRoot();
    private static readonly string Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string SiloDll => Output("silo/OrleansSaas.Silo", "OrleansSaas.Silo.dll");
    public static string GatewayDll => Output("gateway/OrleansSaas.Gateway", "OrleansSaas.Gateway.dll");

    private static string Output(string project, string dll)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} was not built; build the solution first ('dotnet build OrleansSaas.sln -c {Configuration}').", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "OrleansSaas.sln"))) return directory.FullName;
        throw new InvalidOperationException("Cannot find the repository root (OrleansSaas.sln) above the program's output folder.");
    }
}
