// os1 users add|list|remove: the people who may use `os1 serve`.
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "server/users.h"

namespace os1::cli {
namespace {

std::string users_file(const options & o) { return o.paths.data_dir + "/users.json"; }

int run_add(const options & o, const std::string & name) {
    server::users_store users(users_file(o));
    auto token = users.add(name);
    if (!token) return report(token.error());
    std::printf("%s\n", token->c_str());
    std::fprintf(stderr, "added %s. The token above is shown only once: give it to them privately.\n"
                         "They send it as `Authorization: Bearer <token>`.\n", name.c_str());
    return exit_ok;
}

int run_list(const options & o) {
    server::users_store users(users_file(o));
    auto list = users.list();
    if (!list) return report(list.error());
    if (list->empty()) {
        std::printf("nobody yet: `os1 users add NAME`\n");
        return exit_ok;
    }
    std::printf("%-32s %s\n", "NAME", "ADDED");
    for (const auto & u : *list) {
        char when[32] = "?";
        const std::time_t t = static_cast<std::time_t>(u.created);
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::localtime(&t));
        std::printf("%-32s %s\n", u.name.c_str(), when);
    }
    return exit_ok;
}

}  // namespace

void add_users_command(CLI::App & root, cli_context & ctx) {
    auto name = std::make_shared<std::string>();
    auto * cmd = root.add_subcommand("users", "the people who may use `os1 serve`, and their API tokens");
    cmd->require_subcommand(1);
    auto * add = cmd->add_subcommand("add", "add a person and print their new API token (shown once)");
    add->add_option("name", *name, "1 to 64 letters, digits, '.', '_' or '-'")->required();
    add->callback([&ctx, name] { ctx.run = [name](const options & o) { return run_add(o, *name); }; });
    auto * list = cmd->add_subcommand("list", "list the people");
    list->callback([&ctx] { ctx.run = run_list; });
    // Removing ends the person: a name given again later is someone new, with nothing of the old one.
    auto yes = std::make_shared<bool>(false);
    auto * rm = cmd->add_subcommand("remove", "remove a person: their token stops working at once and everything OS1 "
                                              "kept of them is erased (as `os1 erase`)");
    rm->add_option("name", *name, "who")->required();
    rm->add_flag("--yes", *yes, "do not ask (needed when stdin is not a terminal)");
    rm->callback([&ctx, name, yes] {
        ctx.run = [name, yes](const options & o) {
            if (!server::users_store::valid_name(*name)) {
                return report(status(status_code::invalid_argument, "'" + *name + "' is not a valid name"));
            }
            auto people = server::users_store(users_file(o)).list();
            if (!people) return report(people.error());
            if (std::none_of(people->begin(), people->end(), [&](const server::user_record & u) { return u.name == *name; })) {
                return report(status(status_code::not_found, "no person named '" + *name + "'"));
            }
            return erase_person_everywhere(o, *name, *yes);
        };
    });
    for (auto * sub : {add, list, rm}) sub->fallthrough();
}

}  // namespace os1::cli
