using System.Text.Json;
using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Cli;

/// <summary>
/// The resources of the sandbox's consumer services (S3, DynamoDB, SSM, EC2) as one JSON document, as each local
/// endpoint exports them: what <c>sandbox-consumers.json</c> holds beside the sandbox's KMS state.
/// </summary>
internal sealed record SandboxConsumerState(
    int Version,
    LocalS3Resources S3,
    IReadOnlyList<LocalDynamoDbTable> DynamoDb,
    IReadOnlyDictionary<string, IReadOnlyList<LocalSsm.Version>> Ssm,
    LocalEc2Resources Ec2)
{
    /// <summary>The document's format; a file of another version is refused (--sandbox-reset seeds a new one).</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Format = new()
    {
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Format);

    /// <exception cref="FormatException">The document is not such a state; the message says why.</exception>
    public static SandboxConsumerState Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var state = JsonSerializer.Deserialize<SandboxConsumerState>(json, Format) ?? throw new FormatException("the document is empty");
            return state.Version == CurrentVersion ? state : throw new FormatException($"it is not a sandbox consumer state of version {CurrentVersion}");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new FormatException($"not a sandbox consumer state: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// The file that keeps <see cref="SandboxConsumerState"/> between commands, written only when the state changed (as
/// <see cref="KeyRotation.LocalKms.LocalKmsStateFile"/> does), through a temporary file so a half-written state is never read.
/// </summary>
internal sealed class SandboxConsumerStateFile(string path)
{
    private string? _written;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public bool Exists => File.Exists(Path);

    /// <summary>The state in the file; null when there is no file.</summary>
    /// <exception cref="FormatException">The file is not a sandbox consumer state; the message names the file.</exception>
    public SandboxConsumerState? Load()
    {
        if (!Exists)
        {
            return null;
        }

        var json = File.ReadAllText(Path);
        try
        {
            var state = SandboxConsumerState.Parse(json);
            _written = json;
            return state;
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{Path}: {ex.Message}", ex);
        }
    }

    public void Save(SandboxConsumerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var json = state.ToJson();
        if (json == _written)
        {
            return;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, Path, overwrite: true);
        _written = json;
    }
}
