#include "companion/honesty.h"

#include <cctype>

namespace os1::companion {

bool asks_about_others(const std::string & message) {
    std::string m;
    for (const char c : message) {
        const auto u = static_cast<unsigned char>(c);
        m += std::isalnum(u) || c == '\'' ? static_cast<char>(std::tolower(u)) : ' ';
    }
    std::string squeezed;  // one space between words, and at both ends
    for (const char c : " " + m + " ") {
        if (c != ' ' || squeezed.empty() || squeezed.back() != ' ') squeezed += c;
    }
    for (const char * p : {" how many people ", " how many other ", " how many others ", " how many users ",
                           " how many persons ", " how many conversations ", " how many of us ", " anyone else ",
                           " anybody else ", " someone else ", " somebody else ", " other people ", " others too ",
                           " only me ", " just me ", " only one you ", " am i the only ", " exclusively ", " only mine ",
                           " just mine ", " only yours ", " talking to others ", " talking with others ",
                           " talk to others ", " talk with others "}) {
        if (squeezed.find(p) != std::string::npos) return true;
    }
    return false;
}

std::string live_figures_note(uint64_t people, uint64_t conversations) {
    return "[Live figures, true right now: you are talking with " + std::to_string(people) +
           (people == 1 ? " person" : " people") + " (this person among them) and hold " + std::to_string(conversations) +
           (conversations == 1 ? " conversation" : " conversations") +
           ". If they ask, give these numbers plainly; you are not exclusively anyone's.]\n\n";
}

}  // namespace os1::companion
