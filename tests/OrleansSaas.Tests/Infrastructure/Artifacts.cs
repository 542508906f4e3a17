namespace OrleansSaas.Tests.Infrastructure;

/// <summary>Where the silo and gateway this test run built live (same configuration as the tests).</summary>
public static class Artifacts
{
    private static readonly string RepositoryRoot = FindRoot();
    private static readonly string Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string SiloDll => Output("silo/OrleansSaas.Silo", "OrleansSaas.Silo.dll");
    public static string GatewayDll => Output("gateway/OrleansSaas.Gateway", "OrleansSaas.Gateway.dll");

    private static string Output(string project, string dll)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} was not built; run the tests through 'dotnet test OrleansSaas.sln'.", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "OrleansSaas.sln"))) return directory.FullName;
        throw new InvalidOperationException("Cannot find the repository root (OrleansSaas.sln) above the test output folder.");
    }
}
