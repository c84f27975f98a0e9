using System.Globalization;
using System.Runtime.CompilerServices;

namespace KeyRotation.Cli.Commands;

/// <summary>How a stored ciphertext is written: the bytes KMS returned (raw), or those bytes in base64 text.</summary>
internal enum CiphertextFormat
{
    Raw,
    Base64,
}

/// <summary>
/// One input of <c>reencrypt</c>: a file (<see cref="Path"/>, written to <see cref="OutputPath"/> with
/// <c>--output-dir</c>) or one line of standard input. <see cref="Ciphertext"/> is null when the input could not be
/// read, and <see cref="Problem"/> says why; a blank line of standard input is <see cref="Blank"/>, no ciphertext at all.
/// </summary>
internal sealed record CiphertextInput(string Name, byte[]? Ciphertext, string? Problem)
{
    public string? Path { get; init; }

    public string? OutputPath { get; init; }

    public bool Blank { get; init; }
}

/// <summary>
/// The inputs of one <c>reencrypt</c> run, checked before KMS is called: files (one ciphertext each, raw by default) or
/// standard input (one base64 ciphertext per line), and with <c>--output-dir</c> the file each input is written to,
/// none of them an existing file unless <c>--overwrite</c>. Files are read one at a time as the run reaches them.
/// </summary>
internal sealed class ReencryptionInputs
{
    /// <summary>KMS's largest ciphertext blob (the CiphertextBlob limit of Decrypt and ReEncrypt).</summary>
    public const int MaxCiphertextBytes = 6144;

    private readonly IReadOnlyList<(string File, string? Output)> _files;

    private ReencryptionInputs(IReadOnlyList<(string File, string? Output)> files, CiphertextFormat format, string? outputDirectory)
    {
        _files = files;
        Format = format;
        OutputDirectory = outputDirectory;
    }

    /// <summary>True when the ciphertexts come from standard input.</summary>
    public bool FromStdin => _files.Count == 0;

    public CiphertextFormat Format { get; }

    /// <summary>The --output-dir directory, full path; null: the new ciphertexts go to stdout.</summary>
    public string? OutputDirectory { get; }

    /// <summary>
    /// Checks the inputs and outputs the options name. Throws <see cref="UsageException"/> (exit 2, nothing called)
    /// for a combination that cannot work or an output that would replace a file without --overwrite.
    /// </summary>
    public static ReencryptionInputs Plan(IReadOnlyList<string> files, string? inputFormat, string? outputDir, bool overwrite, bool stdinIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(files);
        var stdin = files.Count == 0 || files is ["-"];
        if (!stdin && files.Contains("-"))
        {
            throw new UsageException("'-' (standard input) cannot be combined with files: give files, or pipe ciphertexts into standard input.");
        }

        if (stdin && files.Count == 0 && stdinIsTerminal)
        {
            throw new UsageException("no ciphertexts: name files (one ciphertext each), or pipe base64 ciphertexts into standard input, one per line (or pass - to type them).");
        }

        var format = inputFormat switch
        {
            "raw" => CiphertextFormat.Raw,
            "base64" => CiphertextFormat.Base64,
            _ => stdin ? CiphertextFormat.Base64 : CiphertextFormat.Raw,
        };
        if (stdin && format == CiphertextFormat.Raw)
        {
            throw new UsageException("--input-format raw reads files only: standard input takes one base64 ciphertext per line.");
        }

        if (overwrite && outputDir is null)
        {
            throw new UsageException("--overwrite applies to --output-dir only: without it the new ciphertexts go to stdout.");
        }

        if (outputDir is null)
        {
            return new ReencryptionInputs(stdin ? [] : [.. files.Select(f => (f, (string?)null))], format, null);
        }

        if (stdin)
        {
            throw new UsageException("--output-dir names each new ciphertext after its input file: with standard input, the new ciphertexts go to stdout.");
        }

        var directory = System.IO.Path.GetFullPath(outputDir);
        if (File.Exists(directory))
        {
            throw new UsageException($"--output-dir: '{outputDir}' is a file, not a directory.");
        }

        return new ReencryptionInputs(Outputs(files, directory, outputDir, overwrite), format, directory);
    }

    /// <summary>Each file's output path; two inputs with one name, or an existing file without --overwrite, are refused.</summary>
    private static List<(string File, string? Output)> Outputs(IReadOnlyList<string> files, string directory, string shownDirectory, bool overwrite)
    {
        var planned = new List<(string File, string? Output)>();
        var taken = new Dictionary<string, string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = System.IO.Path.GetFileName(file);
            if (name.Length == 0)
            {
                throw new UsageException($"'{file}' names a directory, not a file.");
            }

            var output = System.IO.Path.Combine(directory, name);
            if (!taken.TryAdd(output, file))
            {
                throw new UsageException($"--output-dir: '{taken[output]}' and '{file}' would both be written to {System.IO.Path.Combine(shownDirectory, name)}; re-encrypt them in separate runs.");
            }

            if (!overwrite && File.Exists(output))
            {
                var what = System.IO.Path.GetFullPath(file) == output ? "is the input itself" : "exists";
                throw new UsageException($"--output-dir: {System.IO.Path.Combine(shownDirectory, name)} {what}; pass --overwrite to replace it (each file is replaced whole, never half-written).");
            }

            planned.Add((file, output));
        }

        return planned;
    }

    /// <summary>The inputs in order: each file read when its turn comes, or standard input line by line.</summary>
    public async IAsyncEnumerable<CiphertextInput> ReadAsync(TextReader stdin, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        if (FromStdin)
        {
            var number = 0;
            while (await stdin.ReadLineAsync(ct) is { } line)
            {
                number++;
                var name = string.Create(CultureInfo.InvariantCulture, $"stdin line {number}");
                yield return line.Trim().Length == 0 ? new CiphertextInput(name, null, null) { Blank = true } : FromBase64(name, line, fromFile: false);
            }

            yield break;
        }

        foreach (var (file, output) in _files)
        {
            yield return await ReadFileAsync(file, ct) with { Path = file, OutputPath = output };
        }
    }

    private async Task<CiphertextInput> ReadFileAsync(string file, CancellationToken ct)
    {
        try
        {
            var length = new FileInfo(file).Length;
            // Checked before reading: a large file is the encrypted data itself, not the data key KMS encrypted.
            var limit = Format == CiphertextFormat.Raw ? MaxCiphertextBytes : ((MaxCiphertextBytes + 2) / 3 * 4) + 2;
            if (length > limit)
            {
                return new CiphertextInput(file, null, string.Create(CultureInfo.InvariantCulture, $"{length} bytes, more than a KMS ciphertext can be ({MaxCiphertextBytes} bytes{(Format == CiphertextFormat.Base64 ? " before base64" : string.Empty)}): it is not one ciphertext (is it the data rather than its encrypted data key?)."));
            }

            if (Format == CiphertextFormat.Base64)
            {
                return FromBase64(file, await File.ReadAllTextAsync(file, ct), fromFile: true);
            }

            var bytes = await File.ReadAllBytesAsync(file, ct);
            return bytes.Length == 0 ? new CiphertextInput(file, null, "the file is empty: no ciphertext.") : new CiphertextInput(file, bytes, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CiphertextInput(file, null, ex is FileNotFoundException or DirectoryNotFoundException ? "no such file." : $"cannot read it: {ex.Message}");
        }
    }

    private static CiphertextInput FromBase64(string name, string text, bool fromFile)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            return new CiphertextInput(name, null, $"not base64: one base64 ciphertext is expected{(fromFile ? " (a raw ciphertext file needs --input-format raw)" : string.Empty)}.");
        }

        return bytes.Length switch
        {
            0 => new CiphertextInput(name, null, "empty: no ciphertext."),
            > MaxCiphertextBytes => new CiphertextInput(name, null, string.Create(CultureInfo.InvariantCulture, $"{bytes.Length} bytes, more than a KMS ciphertext can be ({MaxCiphertextBytes} bytes).")),
            _ => new CiphertextInput(name, bytes, null),
        };
    }
}
