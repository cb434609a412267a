// The CLI's commands: the packaged app runs as the command line when its first argument is one of
// them (electron/main/cli-args.ts; build/linux/slidescope-launcher.sh lists them too).

export const CLI_COMMANDS = ['info', 'region', 'thumbnail', 'compare', 'annotations', 'report', 'help', '--help', '-h', 'version', '--version'] as const;
