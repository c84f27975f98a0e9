using System.Globalization;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// One condition of a statement: an operator (with its optional ForAnyValue:/ForAllValues: qualifier and IfExists
/// suffix), a context key and the policy's values. Semantics as the IAM User Guide documents them:
/// <list type="bullet">
/// <item>values of one key are OR'ed; for a negated operator (StringNotEquals, StringNotLike, ArnNotLike, ...) a request
/// value matches when it equals none of them;</item>
/// <item>a key missing from the request fails a positive operator and satisfies a negated one; IfExists makes a
/// missing key satisfy any operator;</item>
/// <item>ForAllValues: every request value must match; true when the key is missing or empty. ForAnyValue: at least
/// one request value must match; false when the key is missing or empty;</item>
/// <item>Null "true": the key is missing (or empty); "false": it is present.</item>
/// </list>
/// </summary>
internal sealed record IamCondition(string Operator, string Key, IReadOnlyList<string> PolicyValues)
{
    public bool IsSatisfiedBy(IamRequest request)
    {
        var (qualifier, baseOperator, ifExists) = Split(Operator);
        var requestValues = request.Values(Key);
        var missing = requestValues is null || requestValues.Count == 0;

        if (baseOperator == "Null")
        {
            if (qualifier is not null || ifExists)
            {
                throw new NotSupportedException($"{Operator} is not a valid condition operator");
            }

            return PolicyValues.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase) == missing);
        }

        var (negated, match) = Matcher(baseOperator);
        bool ValueMatches(string value) => negated
            ? !PolicyValues.Any(p => match(p, value))
            : PolicyValues.Any(p => match(p, value));

        switch (qualifier)
        {
            case "ForAllValues":
                return missing || requestValues!.All(ValueMatches);
            case "ForAnyValue":
                return !missing && requestValues!.Any(ValueMatches);
            default:
                if (missing)
                {
                    return ifExists || negated;
                }

                // A single-valued operator given several request values: a positive one needs one match, a negated one
                // needs every value to match none.
                return negated ? requestValues!.All(ValueMatches) : requestValues!.Any(ValueMatches);
        }
    }

    private static (string? Qualifier, string Operator, bool IfExists) Split(string op)
    {
        string? qualifier = null;
        var colon = op.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            qualifier = op[..colon];
            op = op[(colon + 1)..];
            if (qualifier is not ("ForAllValues" or "ForAnyValue"))
            {
                throw new NotSupportedException($"unknown condition set qualifier {qualifier}");
            }
        }

        var ifExists = op.EndsWith("IfExists", StringComparison.Ordinal);
        return (qualifier, ifExists ? op[..^"IfExists".Length] : op, ifExists);
    }

    private static (bool Negated, Func<string, string, bool> Match) Matcher(string op) => op switch
    {
        "StringEquals" => (false, (p, v) => string.Equals(p, v, StringComparison.Ordinal)),
        "StringNotEquals" => (true, (p, v) => string.Equals(p, v, StringComparison.Ordinal)),
        "StringEqualsIgnoreCase" => (false, (p, v) => string.Equals(p, v, StringComparison.OrdinalIgnoreCase)),
        "StringNotEqualsIgnoreCase" => (true, (p, v) => string.Equals(p, v, StringComparison.OrdinalIgnoreCase)),
        "StringLike" => (false, (p, v) => IamPattern.Like(p, v)),
        "StringNotLike" => (true, (p, v) => IamPattern.Like(p, v)),
        "ArnEquals" or "ArnLike" => (false, IamPattern.ArnLike),
        "ArnNotEquals" or "ArnNotLike" => (true, IamPattern.ArnLike),
        "Bool" => (false, (p, v) => string.Equals(p, v, StringComparison.OrdinalIgnoreCase)),
        "NumericEquals" => (false, (p, v) => Compare(p, v) == 0),
        "NumericNotEquals" => (true, (p, v) => Compare(p, v) == 0),
        "NumericLessThan" => (false, (p, v) => Compare(p, v) > 0),
        "NumericLessThanEquals" => (false, (p, v) => Compare(p, v) >= 0),
        "NumericGreaterThan" => (false, (p, v) => Compare(p, v) < 0),
        "NumericGreaterThanEquals" => (false, (p, v) => Compare(p, v) <= 0),
        _ => throw new NotSupportedException($"condition operator {op} is not modelled; add it before using it in a policy"),
    };

    /// <summary>Policy value compared with request value; a request value that is not a number never matches.</summary>
    private static int? Compare(string policyValue, string requestValue) =>
        decimal.TryParse(requestValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var request)
            ? decimal.Parse(policyValue, NumberStyles.Float, CultureInfo.InvariantCulture).CompareTo(request)
            : null;
}
