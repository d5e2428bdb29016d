/* main.c — the `eseal` command: dispatches to one file per command group. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct cmd groups[] = {
    {"ca", "the platform certificate authority / 平台证书机构", cmd_ca},
    {"token", "the software seal token (USB KEY) / 软件印章令牌", cmd_token},
    {"seal", "make, show and verify seals / 制作、显示、验证印章", cmd_seal},
    {"stamp", "stamp a file with a seal and a token / 电子签章", cmd_stamp},
    {"verify", "verify a seal signature over a file / 验证电子签章", cmd_verify},
    {"status", "save a seal's signed status for offline use / 保存印章状态", cmd_status},
    {"log", "the append-only event log / 事件日志", cmd_log},
    {"issuer", "drive the issuance API (eseal-issuerd) / 签发服务客户端", cmd_issuer},
    {"demo", "walk a running issuer through every business type / 演示全部业务", cmd_demo},
    {"backup", "back up the platform while it runs / 在线备份", cmd_backup},
    {"restore", "restore a backup into empty directories / 恢复备份", cmd_restore},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: eseal COMMAND [ARGS]  (eseal help COMMAND [SUBCOMMAND] for details)\n"
                 "用法: eseal 命令 [参数]\n\ncommands / 命令:\n");
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        fprintf(out, "  %-8s %s\n", groups[i].name, groups[i].help);
    fprintf(out, "  %-8s %s\n", "help", "this list, or a command's usage / 帮助");
}

/* help runs `eseal help [COMMAND [SUBCOMMAND...]]` as `eseal COMMAND
 * [SUBCOMMAND...] --help`. */
static int help(int argc, char **argv)
{
    if (argc < 3) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (strcmp(argv[2], groups[i].name) != 0)
            continue;
        char *args[16];
        int n = 0;
        for (int k = 2; k < argc && n < 14; k++)
            args[n++] = argv[k];
        args[n++] = (char *)"--help";
        args[n] = NULL;
        return groups[i].run(n, args);
    }
    fprintf(stderr, "eseal: unknown command / 未知命令: %s\n", argv[2]);
    usage(stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0)
        return help(argc, argv);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("eseal %s\n", ESEAL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (strcmp(argv[1], groups[i].name) == 0)
            return groups[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "eseal: unknown command / 未知命令: %s\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
