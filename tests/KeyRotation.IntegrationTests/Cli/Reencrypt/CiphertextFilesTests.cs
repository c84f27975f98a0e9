using KeyRotation.Cli.Commands;

namespace KeyRotation.IntegrationTests.Cli.Reencrypt;

/// <summary>The atomic write of one new ciphertext file: the whole file or the old one, and no temporary file left behind.</summary>
public sealed class CiphertextFilesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"ciphertext-files-{Guid.NewGuid():N}");

    public CiphertextFilesTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] Names() => [.. Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task WriteAsync_NewFile_IsWrittenWholeInItsFormat()
    {
        var path = Path.Combine(_directory, "a.b64");

        Assert.Null(await CiphertextFiles.WriteAsync(path, [1, 2, 3], CiphertextFormat.Base64, overwrite: false, CancellationToken.None));

        Assert.Equal("AQID\n", File.ReadAllText(path));
        Assert.Equal(["a.b64"], Names());
    }

    [Fact]
    public async Task WriteAsync_FileAppearedSinceTheCheck_IsLeftAloneWithoutOverwrite()
    {
        var path = Path.Combine(_directory, "a.bin");
        File.WriteAllBytes(path, [9]);

        var problem = await CiphertextFiles.WriteAsync(path, [1, 2, 3], CiphertextFormat.Raw, overwrite: false, CancellationToken.None);

        Assert.Equal($"cannot write {path}: it exists now (created since the run began); pass --overwrite to replace it.", problem);
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Names());
    }

    [Fact]
    public async Task WriteAsync_Overwrite_ReplacesTheFileWhole()
    {
        var path = Path.Combine(_directory, "a.bin");
        File.WriteAllBytes(path, [9, 9, 9, 9, 9]);

        Assert.Null(await CiphertextFiles.WriteAsync(path, [1, 2], CiphertextFormat.Raw, overwrite: true, CancellationToken.None));

        Assert.Equal([1, 2], File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Names());
    }

    [Fact]
    public async Task WriteAsync_TargetIsADirectory_FailsAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_directory, "taken");
        Directory.CreateDirectory(path);

        var problem = await CiphertextFiles.WriteAsync(path, [1, 2], CiphertextFormat.Raw, overwrite: true, CancellationToken.None);

        Assert.StartsWith($"cannot write {path}: ", problem, StringComparison.Ordinal);
        Assert.Empty(Names());
    }
}
