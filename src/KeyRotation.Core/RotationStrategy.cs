namespace KeyRotation.Core;

/// <summary>How an alias is rotated (ROTATION_STRATEGY, or the strategy tag, <see cref="Protocol.KeyRecord.Strategy"/>, on the alias's current key).</summary>
public enum RotationStrategy
{
    /// <summary>A new key; the alias moves to it (the default).</summary>
    NewKey,

    /// <summary>New key material in the same key (RotateKeyOnDemand): the key id and ARN stay.</summary>
    Material,

    /// <summary>Material where KMS allows it and the on-demand rotations left stay above the reserve; otherwise a new key.</summary>
    Auto,
}

/// <summary>What one rotation did: the method the strategy chose for this alias this time.</summary>
public enum RotationMethod
{
    /// <summary>A new key behind the alias.</summary>
    NewKey,

    /// <summary>New material inside the same key.</summary>
    Material,
}

/// <summary>The names of strategies and methods as the environment, tags, responses and notifications spell them.</summary>
public static class RotationStrategyNames
{
    public const string NewKey = "new-key";
    public const string Material = "material";
    public const string Auto = "auto";

    /// <summary>The allowed values, for error messages.</summary>
    public const string Allowed = "new-key, material or auto";

    /// <summary>The strategy a name stands for; false for anything else (names are exact, lower case).</summary>
    public static bool TryParse(string? text, out RotationStrategy strategy)
    {
        (var ok, strategy) = text switch
        {
            NewKey => (true, RotationStrategy.NewKey),
            Material => (true, RotationStrategy.Material),
            Auto => (true, RotationStrategy.Auto),
            _ => (false, RotationStrategy.NewKey),
        };
        return ok;
    }

    public static string Name(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.Material => Material,
        RotationStrategy.Auto => Auto,
        _ => NewKey,
    };

    public static string Name(RotationMethod method) => method == RotationMethod.Material ? Material : NewKey;
}
