namespace KeyRotation.LocalKms;

/// <summary>One wire response: HTTP status code and JSON 1.1 body.</summary>
public sealed record LocalKmsResponse(int StatusCode, string Body)
{
    /// <summary>JSON 1.1 content type that KMS answers with.</summary>
    public const string ContentType = "application/x-amz-json-1.1";
}

/// <summary>
/// A request as it arrived: operation name, raw JSON body and the Region it was served in, for asserting exact
/// request fields.
/// </summary>
public sealed record LocalKmsRecordedRequest(string Operation, string Body, string? Region = null);

/// <summary>Read-only view of a key's state for test assertions and the CLI sandbox.</summary>
public sealed record LocalKmsKeySnapshot(
    string KeyId,
    string Arn,
    string KeyState,
    string KeySpec,
    string KeyUsage,
    string Origin,
    string KeyManager,
    string Description,
    bool MultiRegion,
    DateTimeOffset CreationDate,
    DateTimeOffset? DeletionDate,
    bool HasKeyMaterial,
    string? ExpirationModel,
    DateTimeOffset? ValidTo,
    string Policy,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Aliases);
