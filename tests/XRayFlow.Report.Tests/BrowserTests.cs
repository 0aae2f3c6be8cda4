using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit.Abstractions;

namespace XRayFlow.Report.Tests;

/// <summary>
/// The report and the live preview in a real browser: Debian's headless Chromium driven by chromedriver (Selenium).
/// .ci/run installs both with apt-get; where they are missing the tests are skipped, saying why. Screenshots go to
/// bin/.../screenshots (and to $XRAYFLOW_SCREENSHOTS when set; docs/images/report.png is one of them).
/// </summary>
public sealed class BrowserTests(ITestOutputHelper output)
{
    private static readonly string[] Browsers = ["/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
    private static readonly string[] Drivers = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

    private static string? Browser => Browsers.FirstOrDefault(File.Exists);

    private static string? Driver => Drivers.FirstOrDefault(File.Exists);

    private static void SkipWithoutChromium()
        => Skip.If(Browser is null || Driver is null, $"headless Chromium is not installed (looked for {string.Join(", ", Browsers)} and {string.Join(", ", Drivers)}): apt-get install chromium chromium-driver, as .ci/run does");

    private static ChromeDriver Start()
    {
        var options = new ChromeOptions { BinaryLocation = Browser };
        string profile = Kit.TempDir();
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver)!);
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new ChromeDriver(service, options, TimeSpan.FromMinutes(3));
    }

    private static T Js<T>(IWebDriver d, string script) => (T)((IJavaScriptExecutor)d).ExecuteScript(script)!;

    private static void Until(IWebDriver d, string condition, TimeSpan limit, string what)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            if (Js<bool>(d, "return !!(" + condition + ");"))
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"{what}: not after {limit} ({condition})");
    }

    private void Screenshot(IWebDriver d, string name)
    {
        var shot = ((ITakesScreenshot)d).GetScreenshot();
        string dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        shot.SaveAsFile(Path.Combine(dir, name));
        if (Environment.GetEnvironmentVariable("XRAYFLOW_SCREENSHOTS") is { Length: > 0 } extra)
        {
            Directory.CreateDirectory(extra);
            shot.SaveAsFile(Path.Combine(extra, name));
        }

        output.WriteLine($"screenshot: {Path.Combine(dir, name)}");
    }

    [SkippableFact]
    public void TheReportOfTheCompareBatchShowsEveryPictureTheGraphAndTheFailure()
    {
        SkipWithoutChromium();
        string dir = Kit.TempDir();
        string inputs = Path.Combine(dir, "in");
        Directory.CreateDirectory(inputs);
        foreach (var png in Directory.GetFiles(Path.Combine(Kit.Root, "pipelines", "samples"), "*.png"))
        {
            File.Copy(png, Path.Combine(inputs, Path.GetFileName(png)));
        }

        Kit.Corrupt(Path.Combine(inputs, "00000011_009.png"));
        string outDir = Path.Combine(dir, "out");
        var r = Kit.Run("run", Path.Combine(Kit.Root, "pipelines", "compare.yaml"), "--input", "xray=" + Path.Combine(inputs, "*.png"), "--out", outDir, "--report");
        Assert.Equal(1, r.Exit);
        string report = Path.Combine(outDir, "report.html");
        long size = new FileInfo(report).Length;
        output.WriteLine($"report.html of the nine-image compare batch and one corrupt file: {size / 1e6:F2} MB");
        Assert.True(size <= 10_000_000, $"{size} bytes > 10 MB");

        using var driver = Start();
        driver.Navigate().GoToUrl(new Uri(report).AbsoluteUri);
        Until(driver, "document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)", TimeSpan.FromMinutes(1), "images loaded");

        long images = Js<long>(driver, "return document.images.length;");
        var broken = Js<IReadOnlyCollection<object>>(driver, "return Array.from(document.images).filter(i => !(i.naturalWidth > 0 && i.naturalHeight > 0)).map(i => i.alt);");
        Assert.Empty(broken);
        Assert.True(images >= (9 * 14) + (9 * 9), $"{images} images"); // a card per input and step, a panel per figure panel

        Assert.Equal(13L, Js<long>(driver, "return document.querySelectorAll('svg.plan-graph [data-step]').length;"));
        Assert.Equal(13L, Js<long>(driver, "return Array.from(document.querySelectorAll('svg.plan-graph a')).filter(a => a.getAttribute('href').startsWith('#step-') && document.getElementById(a.getAttribute('href').slice(1))).length;"));
        Assert.Contains("00000011_009.png", Js<string>(driver, "return document.querySelector('#failures table').innerText;"), StringComparison.Ordinal);
        Assert.Equal(9L, Js<long>(driver, "return document.querySelectorAll('#outputs tr[data-item] .figure').length;"));
        Screenshot(driver, "report.png");

        // A click on a graph node goes to that step's pictures.
        driver.FindElement(By.CssSelector("svg.plan-graph a[href='#step-canny']")).Click();
        Until(driver, "location.hash === '#step-canny'", TimeSpan.FromSeconds(10), "navigation to #step-canny");
        Screenshot(driver, "report-step.png");
    }

    [SkippableFact]
    public void TheLivePageShowsTheNewPictureWithoutReloadAndTheDiagnosticsOfAnInvalidRecipe()
    {
        SkipWithoutChromium();
        string dir = Kit.TempDir();
        File.Copy(Path.Combine(Kit.Root, "pipelines", "samples", "00000011_000.png"), Path.Combine(dir, "img.png")); // 1024 x 1024
        string recipe = Kit.Write(Path.Combine(dir, "r.yaml"), WatchServerTests.Recipe);
        using var watch = new WatchHost(recipe);
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));

        using var driver = Start();
        driver.Navigate().GoToUrl(watch.Url);
        Until(driver, "document.body.dataset.liveStatus === 'ok' && document.querySelector('#step-mask img.thumb')", TimeSpan.FromMinutes(1), "the live page");
        Js<object?>(driver, "window.__sameDocument = 'yes'; return null;");
        string before = Js<string>(driver, "return document.querySelector('#step-mask img.thumb').src;");

        var sw = Stopwatch.StartNew();
        Kit.Write(recipe, WatchServerTests.Recipe.Replace("threshold: 120", "threshold: 60", StringComparison.Ordinal));
        Until(driver, $"document.querySelector('#step-mask img.thumb').src !== '{before}'", TimeSpan.FromMinutes(1), "the new picture");
        output.WriteLine($"save -> new picture on the page: {sw.Elapsed.TotalSeconds:F2} s (1024 x 1024, this machine's load)");
        Assert.Equal("yes", Js<string>(driver, "return window.__sameDocument || 'reloaded';"));
        Assert.Contains("threshold: 60", Js<string>(driver, "return document.getElementById('recipe').innerText;"), StringComparison.Ordinal);
        Screenshot(driver, "watch.png");

        Kit.Write(recipe, WatchServerTests.Recipe.Replace("op: where", "op: wher", StringComparison.Ordinal));
        Until(driver, "document.body.classList.contains('stale') && document.getElementById('xrf-live').innerText.includes('XRF1003')", TimeSpan.FromMinutes(1), "the diagnostics");
        string banner = Js<string>(driver, "return document.getElementById('xrf-live').innerText;");
        Assert.Contains("r.yaml:12:9", banner, StringComparison.Ordinal);
        Assert.Contains("unknown op 'wher'", banner, StringComparison.Ordinal);
        Assert.Contains("op: wher", banner, StringComparison.Ordinal);
        Assert.True(Js<bool>(driver, "return document.querySelector('#step-mask img.thumb').naturalWidth > 0;")); // the last good picture, greyed out
        Assert.Equal("yes", Js<string>(driver, "return window.__sameDocument || 'reloaded';"));
        Screenshot(driver, "watch-invalid.png");

        Kit.Write(recipe, WatchServerTests.Recipe);
        Until(driver, "!document.body.classList.contains('stale') && document.body.dataset.liveStatus === 'ok'", TimeSpan.FromMinutes(1), "recovery");
        Assert.Equal(0, watch.Stop());
    }
}
