namespace OrleansSaas.Gateway.Problems;

public static class ProblemMetadata
{
    /// <summary>What every tenant route can answer besides its own results, so the OpenAPI document lists it.</summary>
    public static RouteGroupBuilder ProducesCommonProblems(this RouteGroupBuilder group)
    {
        group.ProducesValidationProblem();
        foreach (var status in new[] { 401, 403, 404, 503 }) group.ProducesProblem(status);
        return group;
    }
}
