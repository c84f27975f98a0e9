namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// One authorization question: may <see cref="Principal"/> call <see cref="Action"/> on <see cref="Resource"/>, with
/// these context keys (each key single- or multivalued; a key absent from <see cref="Context"/> is not in the request).
/// </summary>
internal sealed record IamRequest(string Principal, string Action, string Resource, IReadOnlyDictionary<string, IReadOnlyList<string>> Context)
{
    public IReadOnlyList<string>? Values(string key) =>
        Context.FirstOrDefault(pair => string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>What one policy says about a request: nothing, allow, or an explicit deny.</summary>
internal enum PolicyDecision
{
    NotApplicable,
    Allow,
    ExplicitDeny,
}
