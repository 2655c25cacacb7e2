"""The long tail of the generated project text: 8,000 English words, most common first (DOM-10).

Without it every seeded project was written from the same ~350 words, so any word matched thousands
of projects and any search cache looked perfect. ``market_text`` draws from this list with a Zipf law.

Derivation: the words of 4 to 12 lower-case letters in SCOWL's ``english-words`` lists of sizes 10,
20 and 35 (Debian's ``scowl`` package, 2020.12.07), in that order of commonness (each size shuffled
with a fixed seed), without English stop words, without offensive words and comparative forms, and
with one word per Porter stem (the search indexes stem), cut at 8,000.

SCOWL's notice, which its licence asks to keep with every copy:

    Copyright 2000-2011 by Kevin Atkinson

    Permission to use, copy, modify, distribute and sell these word lists, the associated scripts,
    the output created from the scripts, and its documentation for any purpose is hereby granted
    without fee, provided that the above copyright notice appears in all copies and that both that
    copyright notice and this permission notice appear in supporting documentation. Kevin Atkinson
    makes no representations about the suitability of this array for any purpose. It is provided
    "as is" without express or implied warranty.

SCOWL builds on public-domain lists (Moby Words II, Brian Kelk's UK English word list, 12Dicts); its
size 35 adds inflections from a database built with WordNet, whose notice follows:

    WordNet 1.6 Copyright 1997 by Princeton University. All rights reserved.

    THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS
    OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON UNIVERSITY
    MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR
    THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY
    PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS.

    The name of Princeton University or Princeton may not be used in advertising or publicity
    pertaining to distribution of the software and/or database. Title to copyright in this software,
    database and any associated documentation shall at all times remain with Princeton University and
    LICENSEE agrees to preserve same.
"""

from __future__ import annotations

_RANKED = """
state badly balance happen accept cause research appropriate decade woman claim equivalent pattern
integer written gave regular sake away global drink mail maximum valid rubbish lunch simple twelve
useless permit dealt chairman divide vice lied channel finite pass though nature index float
directly survey ahead work handy dedicate irrelevant bury suspect might pretty implement putt always
accurate nowhere consequence binary greater explain memory insert randomly condition substantial
convenient break concept busy public yellow effort limit wear ages philosophy leader trash please
seen comparison bite chose possible club anybody split fourth shall creature produce bits broke info
arithmetic happily side free ready therefore scale today tied fewest afternoon smile awful garbage
cope rather nothing slip government paragraph slower whose update reproduce parallel incompatible
decision nearer grand reaction route situation presume hate sure document agreement true waste hotel
engineer health guide eraser income television miss horse constant long left steal permission
physical enjoy weekend fairly everybody boat adopt secure everywhere longer atmosphere habit
permanent excellent sorry pocket publish wise forth hole speak resolution phone edit speech gasoline
devote mile strong lain individual master branch convert ever intelligent incident reduce trace done
traditional spirit wife former wider phrase tune technical front compute girl counter strict gain
made fell begin paper novel depth pure absence specific warm benefit vacation opposite time cycle
annoy factor concrete bring cums phenomenon severe doubt went join modify ground track preserve
amuse grow hand tomorrow invent ditto bound little none without town wish answer call accident home
story attach unaware driven sort capable broken bill convince conclusion loan resort hung discuss
nearby approve lifetime grateful presence syntax bottle although differ circumstance suppose
apparent told bind shop distribute fraction data pound chemical beautiful qualify interface ride
encounter asleep least location manner widespread land vision printout somewhere funny seek force
compiler misled simply fundamental anyplace behind reveal year vital dear aware graduate solid
amount welcome stick obtain older power interval truck heard finger perfectly packet boxes delete
anywhere plain suspend awake gone lack seriously lowest arbitrary somebody valuable blue feasible
ball account citizen scan slightly keen bother select utterly allow inform reach repeatedly
difficult input line would flying mislead nonsense unusual protest fewer minimum insist right source
server meet strongly adds apple stay afraid every whatever volume garden poor version battery borne
everything odds wide method unacceptable chip task sugar contribute accordingly double vans thrown
unhappy mathematics succeed sooner message leave corrupt service grew crazy heart desperate
instruction unreasonable belong thoroughly park consider provide event somehow handle experience
tend harmless campaign option peculiar component sudden example concern path know earth fries
contain young figure wash pint thin hear later along observe felt beforehand standard dubious
numerous anyway wire foreign evidence grown logs arrive shorter rain delay could briefly bank
technology feed extend comment circuit across author quantity character stock settle remind onto
sensible entrance naughty secondary slow look test firstly behave avoid plan word clearly intention
night describe upon extreme course share blank score search seem obvious regardless sits cross
office become cuts omit table perform season opinion impose instant even society definite cease
reserve mistake something electronic flat vote equal shelf display utility typical refer nasty
ambiguous include disadvantage magic help average define rough stream file initial stage lesson
appeal attract need loudly release oppose immediate arise sincerely train prime together heavy
forget absolute flexible spot small decrease lecture economic surface worse attitude loss trouble
river strictly underneath spite reluctant suspicion impact easy depend pointless disk cursor door
five bucket picture military third prone freedom ultimate postmaster core critical must farm deeply
accuracy built ticket threat continue context dump clean easily laws buys growth collapse hopefully
graphic interpret peace given project primary post destroy tell item delivery proper college wine
leaf combine early form said latter stone char yesterday enable enemy come holiday fall bright
safety indeed confident metal thus unsuitable system army position composition rush database turn
brought heat sets enter pays around gradually interests report discount debate famous tape send
wrong overall insurance choose crisis flow peak result byte step attend sees fixed ignore farthest
moral install bear respond strange relate acts name deal basic commonly tank failure stood suffer
storage rely distinct fiscal understand transfer behalf strike fits rule argue instance direct money
signal admittedly real else title reply prove follow examine vastly save modern southern middle
gather hangs risk practice trivial expense paid purchase hits shape connect patient light interact
programmer dream like group queue able straight hope entitle drastic shortage usual study basis
inability dislike unknown happy eventually available package lying proportion kind subsequent whole
substitute upper heavily invariably confuse parent bracket error besides rubber quality bitten fancy
floor desire occasion equipment scheme string sale advantage knowledge appear disagree unwanted
phase calculate contract morning almost terminology zero stuff script variety number since plastic
normal soon play announce change issue north fight worst person access bridge minute truly saint
keys appreciate member science ought hurry final pause advise sent nation disc toward control
outside technique entire determine scratch essential rise hill father suddenly scrap uniform better
keep apology specify wheel press bids language greatly well success vector says withdraw dare
declare historical artificial higher aspect self datum unlimited bigger otherwise repeat exercise
buffer plus cost school promptly legal thank write spent plot adequate touch nobody weather hair
cheaper smooth unique internal carefully clue background header register tonight advice lost credit
bugs drew acquire rare disturb create prepare distance trying associate hall measure radio target
expert cell domain size manage company inadequate kept worthy secretary twenty subject format
quarter intervention irritate complex owner discover really likewise remember conference invite
inconsistent glass partly spare extent summary animal secondly resource trunk pipe independent minor
oldest approach curious article adjust award complain introduce whatsoever added encourage wore race
respect lots sense poem street crisp asks estimate died wall require angry agency publicly readily
afford coffee range mention used lazy pool reason either vast hunt enough variation petrol directory
anyone object station certainly gross compromise teach flew four mere album experienced week
facility prospect difficulty progress prevent bulletin escape band rest news port load dollar sound
vary return integral director education distant accidental noise give winter plant unit altogether
incomplete model promise days constraint came question friend surprise candidate stop mostly block
lets instantly watch output general redundant improve walk receive grant student lock device push
recognition damage inferior thousand black creation lucky product video seminar seven frequent
sometime relationship achieve quote anything move close fill common horrible known thing gets marry
desk extension secret trial husband principle spoke artist country relevant shift chair whether
emergency circulation convention express sleep angle attention taken clearer commercial command
cover program nervous head want sought choice nowadays occupy default remove price merit mainly
incorrect worthwhile district open alter site previously speed meant messy eats special began copy
regret folk federal link policy media make wait level explanation mind major autumn huge aside stuck
face high march somewhat goes terribly label duty glad lesser people water listen annual drive fine
linear response length remain fortune taught foot late someplace whenever naive shortly quit
implication ends already budget cheap never mechanic image notice react false prompt decent knew
unfortunate firmly community bore reliable uncertain support simpler spell gotten environment tooth
weight deduce affair status trust precise worth reject address flown liable subtle ideal often flash
chaos drove network embarrass actual consumption room attack scene french road deem spring section
propose boot flight hour firm mysterious agree hide highly upset unlike exist pile caught sequence
clear poet discipline simultaneous solely clock speaker sophisticate throw feet capital fire
emphasis indicate chain note institution teeth degree guess owed house sentence found design king
summer contrary shoot history local field fish region magnetic industry film confirm dictionary
remote translate logic biology awkward best formal order sensitive furthest dozen maybe necessary
terminal lose lead white capacity external place eight guard bars brown second find short certain
drawn text party struck million democratic extract going shell reflect abuse primitive mass visible
retain compulsory clever mode usage replace alternate quicker structure mistaken full impression
less sadly perfect active popular statistic hard check telephone everyone resident expect execute
runs crash page apart family efficient world flag suggest clarify biggest broadcast regulation
compatible punctuation print match mixed guarantee healthy tendency slowly fair operate department
minimal affect brand tried element temporary graph explicit tight construct pressure routine host
upwards show someone life commission however poll competition couple farther thereby raise leach
music topic present justify future great dark forgot entity space disappear tree wills column
maintain readable despite assure last division political wind protect assistant feature supervisor
potential western elevator marriage professional whereas near conversation west pain universal
circle sheet teacher switch tying restrict ship advertise serve digit code ease held necessarily
recent moment view role month correctly cent description puncture importantly distinctly grind half
identify screen century official inch also extra property procedure part friendly unless central
anonymous captain serious planet compose button root assembly next customer forever monitor superior
voice feedback illegal experimental catch safe except token relative establish alarm innocent
rewrite scientific assumption shown exclusive harder whoever reality love grave recover cardboard
rate incline kindly pair demand period fault hold another piece reverse proof point perhaps jobs
fate frame occur nice record body category familiar aims discourage silly assume advance unable
eaten supposedly suitable audience east effect complicate fatal exclude automatic talk entry fast
virtually sign population square council roughly fully sharp attempt reception suit consist inner
three electric breach charge skill software temporarily nine expansion numb deliver satisfy notify
wonder necessity especially ridiculous thought build demonstrate misuse worn reduction nicer social
compare freely alone corner quiet survive motion hospital first stand isolate board tedious dirty
deliberate book ensure various mess care intend unpleasant mean submit contrast lady weird identity
smaller style knock elect content forgotten county fact hack begun idea mine till enormous hardware
count pull complete chosen material solve derive midnight prior user afterwards wins restore library
court previous session invisible area mother process apply contact wrote cure ancient hidden movie
back whilst read disaster particularly junk flied plug infinite decide meaningful pack commitment
considerable twice plane obey trap loose case financial invalid eyes recall finish learn
manipulation successfully alive similarly fresh private forthcoming arrange base hardly brother
think whereby current start meaningless cold traffic harm hundred main fail origin soft worry
children complaint temperature imagine beyond exchange machine travel particular chapter outer
layout detail understood child roll regard live similar obviously opportunity puts fashion accord
committee fund prefer shame quick employee theory series application plea carry draw daily south
persuade bets supply movement ones investigate ability blow admit window closer human term senior
culture borrow governor visit elsewhere processor automobile value safer worker virtue correct
involve edge massive solution ways refuse inside bought still judge fear excess suffice analysis
purpose neither influence statement loop subset sight manual laboratory lift regularly editor danger
game list medical spread jump partial transport properly collect analogue action empty sufficient
expand date inevitably unclear unnecessary vague legs remark lower probably spend multiple faith
quickly hint nevertheless driver mouth review large random joint repair police cassette trick team
dinner treatment letter class larger increase plenty ring writer quietly trip medium request
argument strength chance shut develop occasional alias wherever matter mark lend noisy imply take
economy membership variable hence wooden took past threw separate spoken magnitude incidentally
cannot throughout lorry nearly ordinary wild hereby blame impossible keyboard genuine good restart
taste algorithm fallen offer rids represent printer total city joke exactly excuse mistook negative
bizarre food round became president market sell green staff function warn forward drop hello deep
faster reader literally recommend truth store addition introduction bottom strategy exact bulk
believe pick academic distinguish instead others single serial literature significant slight sample
symbol much obscure sold important neck pleasant patch type detect treat brief women theoretical
problem many within luck feel card vocal razor versus radiation amend cake flaw steer proceeded
glean attorney contributor mask curiosity cloud abbreviate shine legend alliance inter wholly
shelter prejudiced stumble clone marital cotton vein adult imbalance garble adjacent wake carrot
gutter duly stem soldier neglect obstruct disconnect caps pigs pharmacy coverage missile outcry
convict deviation utter spokesman knife contemporary insect dialogue revert philosopher miraculous
dull inane chalk contradict revenue rightly chemist painless orient beneficial mercury digs
roundabout wont preliminary overwhelm bash kits wretched compound panel await overtone complement
authentic unload cruise freeze ballet workable exponential recipe yawn liaison immoral manufacture
frozen degrade grim moderate wicked architecture sister nuts upgrade sail futile chord festival
burst puns reiterate defy stagger embedded intense supermarket struggle jolly wrist dogma duff
outweigh journal rice neat interior orchestra dual jazz dismiss infer pilot burnt blade nickname
spin subscription careless pedal sweep heel boil evolve static glossy infallible theme mood triple
charity freed laser powder owns factual acquaintance amazingly kitchen verdict billfold atlas
outrage percent arts undefined seed immune drill exaggerate bacterium painfully stringent expressway
coat prototype baggage neural superb assort bend bell caveat drown tame dignity folder illogical
appalled galaxy tasteless honesty grandmother standpoint sandwich pavement passion curtain
gratefully rebuilt adjective reassure venue consent slogan modification railway steadily dire batch
bobs filthy crossword daylight prerequisite perception unduly theology studio fool medicine
unconscious wage privilege rural dive module outright domestic dons sued hook fairer ownership acorn
creative servant wive ideology guest broad kernel profile solicitor nest highlight bless triangle
mend chemistry fans downright inverse skeleton reform melt akin vacuum graffiti hobby inaccurate
reinstate tongue league jargon sink liver refresh outstanding overridden scholar diameter sped greed
upstairs redirect plate mileage undid freak viewpoint foam inequality unaffected shed pursuit tops
wing ruler gateway secular legitimate roof banner consensus arguable species worm incentive keyword
vend tension gullible tackle valley sprang breeze glorious grandfather alpha pour precaution expose
havoc rhyme refine etymology cook proprietary geometry exotic rats adhere sustain tangent absorb
assign exhibit fierce colon height cryptic trend cathedral slag camera pregnancy triumph choir valve
gaps facilitate spout override bedroom electoral pens taxi juice unfriendly bitmap voltage hats
withdrew guts protocol undertake poorer storm leap breakdown prejudice kidnap underground jointly
suspension applause pitch abandon tiny visual premium crucial inconvenient essay harsh pace
unpopular condone snobbery priest eligible caution rescue proximity farewell negate fake chief
biography unavailable sing bureaucracy fringe meat inflict icon daytime damp conductor shoe smash
divine suspicious ongoing herring screw sequel rational enclose fountain contrive heresy accumulate
newly expiry farce constitute wood moan deadline dealer priority overrode wander newest scare
brigade newcomer pray conspicuous journalist taxpayer fairy sweat fare horizontal friendship dice
weak inflation infinity kids penny scatter liberal lung vegetarian textbook concatenate shiny island
chorus spatial curly adapt ruin abstract formerly herd ears victim devastate railroad intimate
arcane offend mint buck motorway stray mumble equilibrium ward axiom tower knight tore irony waffle
furry gate yearly lightning slid whence mirror adverse fluid rank honorary unset underlay
evolutionary rectangle frequency gods entail costly sacred wary requisite thankfully virus throat
incoherent royalties holy enjoyable shake postulate guys decimal analogy proven vicious satire
trashcan nurse click wars clause surgery consecutive unrealistic dummy rectangular chew guinea
thieve blurb refute scarlet swap comma jail unbearable thou verb frivolous cupboard luggage
overwritten grossly squeeze omission theses backbone heartily absent sponsor contend heritage boost
logo gold obligatory slide companion poverty terse pork weasel prize sermon diagram empire transient
megabyte launch principal optimistic newsletter democracy boredom conspiracy sarcastic village stark
coke chest flame socket ambassador glove accuse charter unhelpful provocative brick soundtrack
dispute misdirect restrain plaster abysmal wrecker debug null brake narrative lonely juvenile rows
singular boggle inertia trinity skip tense rename flush ergo overcame cage accelerate formula sheer
incompetent comply handicap disastrous teenage grain exposure detector dots sinister arch metric
spigot syntactic stake talent resist client interfere cash dread verify snow doubtless premise
insecure agent dole toilet sequential diverse helicopter incredible injustice blast counterpart bull
melody interview optimal dogs colleague resurrection therein inject polar pant female unofficial
genius parliament sand cider sung chat quotation sneaky horrific arrogant asterisk mayor pretentious
phoenix lest resemble sauce copper insensitive cabinet misinterpret motive safeguard civil stuffed
hero prohibit mnemonic cows rhythm tricky farmer muck creep dial render bout biochemistry anorak
wound bogs reset prophet awfully ecology fuse mindless tear swear collar relieve absurd faint
cluster profit urge employer trumpet tins dynamic passage opus customary shone assess banana swum
reputation discard cried partition cuckoo umbrella calm outlook ashcan strain tentative fizzy drying
recursion contemplate timescale filter enthusiastic cookie lobby salt trusty injury forecast grip
amaze concede smith seat motor untidy seldom pedestrian sterling gravity salesman sundry
transmission sixty northern vouch lager scarce paranoid explode ingenious criterion frown fuzzy
outdated eternal checker spur thereafter hypocrite arrow subscribe entirety whoop lemon calendar
console vocabulary stack humble gentleman toad wren horror conservation basement fantasy cheek grade
subroutine delight evolution cleaner unlock indictment birthday lord sordid physiology dishonest
trade trifle tough liability postal foreseeable shorten hammer elementary comedy chop scenario
distract tailor drank clearance referendum challenge repetition beaten spray upbringing sons tripos
persuasion unconnected hazard confidential obsess notation likelihood eggs elitist overcome mice
vinyl slang momentum girlfriend simplistic luckily ladder romantic mainframe mill unworkable flesh
tolerant radius decline correlate attain horde mutual campus indirect stair froze star preach
bargain pompous amateur toes leisure persist overview creator vulnerable antisocial rocket belief
disco brighter legendary faculty accomplish taxation sigh bookshop crown invasion poorly explore
concerto semantic carbon coarse vacancy atom shutdown bench flip unify censorship satisfaction
beings fighter toys coordinate misread eccentric horrendous prefix weigh smell rose hopelessly
horrid cabbage conceal earn sworn volunteer pink geology invert notorious conduct tall gratuitous
apparatus arisen taker honestly forgive border mighty combat variant transmitter premature
unfinished ingredient conceive devoid denote wave unbalanced eager vandalism perspective plotter
sneak chaotic verse spool cube mandate eighteen unwilling tidy fusion documentary inhabit lengthy
parse salary admire lens manpower dash insight hail reckless lark sensation reformat fussy admission
outgoing disciplinary bone cleanly inefficient dilemma reactor despise abolish addict fiver
intervene manifestly oblige bark draft headache pronounce wallet synthesizer tail lenient lurk
hardship alas distress equate synonym typewriter cream dumpster cricket smug swim disclaimer
recipient parity canonical layer blanket fiddle viewer expertise barrister implausible hash footnote
jelly temple sanity richer acoustic mummy misprint coherent porter signature unimportant tender
margin imminent archaic starter queued minister heap comic magazine sterile revolt incapable feeble
surplus blind hexadecimal legislation craft reclaim extremist allege steady increasingly abnormal
wrap gift reproduction offensive sympathy ample regime bread overwriting linkage intersection arose
kingdom rock commentary unexplained aerial furniture swamp scum aliases criminal successor inspect
undergone rash spies immortal aggressive idealistic unsuccessful notable slept patience cloth cubic
reconcile meantime mythology tragedy sicken fuel usable syndicate deity policeman symptom jeans
devise courtesy contempt midday bigotry baud salvation astronomy jealous merry unattended stimulate
sane hideous deaths beginner allocate intellect poison occurrence boundary fleet sigma eastern
induce unjustified beam retrieve ozone surround deposit apathetic parameter decode suppress postcard
grief unchanged delimiters concentrate golden rung beat bubble fatuous praise dawn slice sabotage
concur overload puzzle idiom spectacular indefinite certainty crop junction pleasantly wrapper
incorrectly beloved poetic promote boss skin champion lavatory basket fellow profession unsound
ghastly inaccessible dentist introductory cinema tactic quota divorce spectrum undo imperial gospel
chocolate hierarchical underline confess lane diary emulate smoker arms elegant pleasure disable
tire configure luxury prescription whereupon mangle romance intact stiff brush spiral rent demolish
profound workload brethren woken energy doctor distort unfounded celebrate baby bypass rail trilogy
spit dried scenery chancellor chess shook constrain mutter gown gang meter drum surprisingly wade
condense negligible photo implicitly repent flour gene relief tons knee yard unsure axes imaginary
phenomena sixteen weekly enlarge arcade playground hyphen align bond chestnut intolerance trouser
jungle fortnight acquisition atheism politician axis stress nominal verbose uncertainty curiously
expedition disguise explanatory overhead fluffy precede interrupt shoulder diagnostic allegedly
pointer childish discharge exit freeway fever cousin parrot pends transcript tens beware fought
toggle additionally zoom casual twin battle friction motto song impair hollow victory shade nuclear
tremendous bundle pale novice grab circa submission cheer convey analyst tour erroneous propaganda
vertical offspring toss pulp referenced sues worship mate calculus bolt blink molecule torn unseen
slot gnome onus stir peasant tutorial cruel sixth forty therapy expenditure airport infant textual
insufficient rarer rearrange simplify malfunction mans linguistic bonus inspire notification dreary
beef uncommon ratio handbook intermediate silent conform robust density wonderfully medieval tale
rend plural galactic anniversary sketch mole sender mortal beneath detract cliff robot recycle genre
concert episode fetch anger emotionally polynomial bathroom workstation ludicrous pity acute crude
conflict font unspecified climate culprit orchestral nick destine horn eater workshop redefine
football algebra misfortune infamous mature goodbye overdraft exam congest paraphrase acid pregnant
indulge refund cult tennis buyer dispose prison underlain fantastic stereotype guidance orange union
lightninged illusion slighter cosmology intuitive pump guilt sins guilty squad urgency stale
stationary sank finer shadow speculate dissertation yeti overlap worthless librarian downwards
endless lips slippery eleven circuitry unread hire evenly certificate psychology mixture cartridge
insane spike vicar smelly superficial ambient mankind rude blob preview prosecute essence bent deed
sentiment irrational limb decay terrify patent dismal offset jerk supplement welfare thief diagnosis
fifteen eliminate planetary prescribe repulsive sine overly chicken simplicity kick constituent
crawl lawn forgiven upright newer fifty unhealthy plague straw beast needlessly clinic disgust spoof
handler curse indirectly mainstream unlucky soup curve deadly stare censor gentle monarch bass clash
pronoun fossil unused sock royal baroque drain conscious cunning witness mock noun unity interrogate
eminent thoroughfare riot interim mental courage extant scanner rhetorical clique uneasy punch
smoothly scotch countless penalty timetable corridor extinction maker stance suffix esoteric
concurrently goat spoil epic causal analyses spill width scream shot laughter cynic multiply unfair
stronger tread changeover archive landscape sticky shareholder subway loyal fallacy bird mimic
intercourse hasty formulation sideways silver compress frantic polish hierarchy exempt vain
unexpected poke finance reconsider highway prolong obnoxious anguish scandal albeit forbidden tick
vendor badge coast barrel hopeless alphabet feminist vowel alcohol lousy hilarious helmet burn
closet pill cheaply splendid punt witch shelve deter lyric fourteen furthermore bags paradox invest
greedy proclaim advert seemingly bulb rich instinct predict moon scientist exceeded reread firework
departmental seventh smallish atrocity sarcasm debt spurious denominator transaction readership
irrespective unobtainable untrue swallow duplicate oppress fluctuation stunt keeper perpetual
provoke anecdote birth chunk unfamiliar paint trendy solar participant onion wrath crossroad focus
buses defend rephrase noble cool embed tome rant famine exceed burden doctrine treaty plainly
territory sympathetic forests aircraft smart tunnel lump lion alongside tomato compete variance
deeper faulty rigorous mount ceremony leak pragmatic grammatical symmetry singularly pedant renew
truncate biblical duration feat risky mania relay transmit grace infantile pinch jams biased matrix
trolley defensive anyhow paradise memorable platform fold darling witty frank editorial thorough
squash disagreement rainbow conclude injure woke purity unconvincing graffito jury chapel
incarnation bandwidth dustbin worldwide chase madness stun ancestor fainter baffle tutor hindsight
caller specialist household transform chap prince thesis dimension pence unwise myth deaf groan
honey automate swam instrument currency contour forbid courier consult rage rectify shove grass
custard degenerate panic commodity deduction discrepancy ethic needle primarily risen illiterate
bicycle employ keystroke abolition mist lent rotten needless opts deprive monthly aardvark circular
plausible undocumented fork compensate closure capture substance henceforth fruit allergic mystic
hypothesis undertaken desert lenses drivel scope capitalist tiresome annoyance sniff resolve
gentlemen fulfilled continent orbit thick cant steep cater metaphor exhaust singer disappoint oxygen
defect dodge nose cute unbiased turntable aloud impractical optimum administer antique shock frankly
inaccuracy swept bare destruction deck advent enhance cumulative hasten machinery tray dress wizard
vanish gesture breed dimensional leather anomaly professor recollection faucet supernatural
arbitrarily syndrome retire zone portion weekday digest compassion gibberish wartime imperative
supreme photocopy wiser cattle donate legible passenger stereo remedy retail revelation audio assert
unsupported discontinue dramatic repertoire incorporate cruelty leadership libel surname tightly
brilliant pride kettle dirt boom atheist fascist infringement outcome stole drama refrain roman
preface urban thee misrepresent asynchronous crime pigeon marker unambiguous shorthand fees mountain
demented prose satellite kidney sunshine incur beach versatile systematic cigarette sword personnel
thread uncle parody bans hardback startle willingly classic ribbon crying proceed blackboard
vicinity chuck novelty passport teapot proud usefully bust violate wipe cosmic elaborate misguide
slash underwent nostalgia snack crowd superfluous moreover overtime shallow confine voluntarily
upside liquid carriage coincide bigot fiction tabs verbal peanut golf perceive metro violin rack
rabid bookstore discrete saga delicate verification theological whichever downhill postscript
hypothetical broadly protein hypocrisy prominent underlie satisfactory dissimilar youth wealthy
elderly inflexible competitor unavoidable indent emotion goldfish twentieth improbable greasy
proposition catastrophic pedantry counsel revenge endlessly differential mild coach sunk cars
prevail laugh sweet temptation reflex stroke quieter prevalent whale unsolicited arena violent pizza
inhibit eagerly unreliable shaky derange wisdom career brass aided correspond drip backspace grammar
nets yield fudge photograph pursue unsafe pipeline hostile fume disorder mistakenly bounce
disposition sharply reckon radical biological purge noon divert hazy tiger maintenance shirt
overflow norm symmetric queen vessel junior sober python unto tone foul sloppy radar rendition
vehicle skull pudding blindly pathetic possess louder stamp anarchy suppliers conscience invade soap
rear discriminate agricultural viable deputy soul hesitate tactless miracle grasp crew spiritual
swore paranoia unwelcome labs peer bishop wets clumsy nail goody license disregard giant cite theft
oral vintage outline bang forum fabric warp overpriced throughput brilliantly glance idle advocate
breakfast sphere retract trek seal password petty poetry goal quiz append evil glue whim postage
brightly flute elephant hysterical compulsion schedule milk nuisance dance halt node viruses lighter
raid magnificent starve cable mouse journey appoint funeral engage optic unsuspecting silicon pads
infect trail sadden diplomatic innovation copyright parade swing rewritten loader lunchtime maze
bandwagon receipt genetic interfered aesthetic warrant venture horrify pole geographical countryside
harden inherit rigid ocean charm indefensible thereof merge enlighten eyesight psychologist evaluate
diet hitherto browse forcibly insult guideline biologist recruit sheep bold deficiency wombat hatred
lamp deserve wolf borderline continental fond kiss pupil leaflet choral loophole slim meal illness
fuss hacker wildly colony blatant thirst alien blown opponent intake brave wondrous populace
drawback shower appraisal frighten bacteria overdue male bliss fence egos coal abide compact
secretly soil comfort infelicity subtlety gently player apparatuses timer insidious guitar
sacrificed liberty overlook array nonetheless threshold toll heaven bunch boys accommodate impulse
frog tempt ashes overlong crystal inherent hideously envelope native punish cheat prayer distasteful
rebuild snail rampant ineffective mildly intrinsic susceptible urgent quest beta diner crunch
mandatory congratulate appallingly mailbox cave tips void slope desktop verbatim disrupt rival
temper cats portray undertook daft obsolete tourist monster stranger conjecture bred dense
enthusiasm strengthen trivia specimen tragic blew despair lake tool parentheses tenth partner holder
hassle enterprise maize cellular hairy cans transit penguin parenthesis typeset overseas coin eighth
delicious elite gladly migrate orthodox glow pardon theorem blatantly envisage gender gossip cups
meanwhile bean crass resent rattle dish imperfect fuller revolution creed organ cartoon alleviate
racket agony demise connector reign diagonal approximate anatomy neutral realm subtly restaurant
snag anxious acronym cobbler castle rationale foolish intellectual sore nightmare particle sacrifice
sport ascend dine derogatory winner vegetable forbade ballot tobacco ridden skirt realistic billion
sentient horizon newspaper bush lawyer menu strategic recreational taxes irate wrongly accompany
misery opera conjunction floppy scarf occupation implicit apathy diesel ploy flood whistle hungry
subsidiary muddle tube fragile grid museum sums adventure unemployment portable provision sector
miserable withdrawn sunrise pose registration dust export estate garage outset inventor barrier
notion socialist unstable piano literary molecular span gulf anagram jack lifestyle beard mission
exploit synthesis excite cast poster gorgeous aunt muscle narrow payment framework immense quantum
tack cylinder bowl geography overnight pencil uniformly fraud cumbersome halve infrequent reuse
minus haircut descend humorous lethal agenda harmony bankrupt velocity pseudo pops sack visitor
undergo matrices rewrote entertain unemployed discovery constantly collate consume manifesto
explicitly unbelievable unexpectedly regrettably enforce contentious undoubtedly ally smoke commence
hardy emit relax communist forgave sunlight cooperate rusty glory cancel compel voter transparent
daughter lays clip cyclist abroad laid dialect credible anticipate thirty doom undesirable brutal
minimalist climb envy foundation influential unrelated alike selfish negotiate silence warranty
asset loud shout invoke oddly twist lodge thumb fascinate expire ghost deny condemn tribe breath
weds brain provisional dominant palace beds beautifully compliment lightly duck bogus ashamed
induction increment vigorously heroic query confront everyday frying eagle intermittent sunny mobile
spontaneous neatly sect encode connotation delta amber backlog pitfall bitter musician justice rope
warehouse champagne devious clog threaten virgin steel charitable contest reluctantly treasure
younger monopoly potato cough ritual precious trigger dose paperback lisp stolen microwave dictate
jest cramp thereabouts factory fame clarity belt sang pollution comprise impersonal conceptual
historian advisory persecute sick steam revise scroll voluntary troop biscuit mercy bake litter
toast stretch antidote postpone exceedingly reward defeat nameless convincingly helpless apostrophe
curry tile curriculum immature continuum rode alert deterrent symphony undone anthology solo depress
resign cuddly monochrome nerve exclamation gasp maps debugger pins complacent gear corn ceiling
shaken fragment downstairs pope sprung inclusion criteria resume nuns rave momentarily wreck insofar
extraneous monkey opuses bias violence segment frustrate imprison jacket predecessor mythical
unnatural angel purple headline classify succeeded strip staircase controversy comprehend simulate
lover concise oneself reminiscent childhood vile pulse consciously blackmail quibble drag ditch
booklet regain strive dusty departure telescope stall detach supervise reactionary iron ambitious
pretend peripheral super crush chamber relocation backward parochial offhand corporate caffeine
banal flower stomach dictatorship landlord invaluable cheese rabbit overprice carpet passive dragon
misplace delusion illustrate actor accent echo thrust acknowledge hurt bath audible fifth remainder
fluent appendix disease accustom butter camp lean fender mundane hydrogen civilian bump mugs openly
chart weary rotate wealth percentage privacy recovery rips impend astronomer drift arrest physicist
malicious attribute mimicry spatter respiratory abler contrite adroit crusty venerate slop
ineligible eavesdrop haste vaccine shamefully grisly irregular shady equinox rooster enlist
rhinoceros trance winch browbeat boon laxer whopper idol ceasefire tuberculosis pans exude humiliate
spokesmen smirk pigheaded proverbial centennial taxicab shackle heather qualm indelible blackout
dominion soggy ballad nautical speck childlike pester robber farmland scathing glare hulk prickly
undying hustle showmen forefront merciless encyclopedia oaks modesty currant appetite hairdresser
castigate cosmopolitan vivid repercussion typist rebuff lighten sleek tulip hostess martial
sauerkraut recess breadth outstation shadowy lobs breadwinner instigate flabby kiosk minibuses
armpit settable gusher purse dessert puma perpetrate duds odder dementia honeymoon unbecoming
congeal growl evermore chronicle powerless weer feverishly bolder arduous guardian joyfuller
conferrer parsec dimly callused stratify diatribe insomnia itinerant grader carp overeat siege pang
decree bearable coolly dims neuroses aerosol blaze fins brawny muffler smack scooter cowboy barbaric
raisin inconsolable forfeit wharf ooze hovel posture amid partisan skulk quell injunction ratty
timekeeper scenic barrage popularly turf traction deceive forsworn earache boiler chicer cordless
dislocate fruitlessly inalienable metamorphose shingle menial parson henchman freighter instructor
exterminate dabs nucleus unwrap saffron hutch lovingly accompanist flap creepy godlike cruder livid
devoutly validly outlay lichen pounce popcorn mete neurotic blip planter mongrel sampler caricature
entrust disintegrate glide bitterly impeccable excerpt drapery mantle disgruntle sidelong calculi
mace imposition ultrasonic onset filth abominable panther festoon goofy godless cutthroat buffoon
outward stink mural copious coyest coarser coroner manic saleswomen laborious clockwork slipper
benevolent blithe wallow quarrelsome placenta inescapable photography dock fictitious whaler
scramble hoed caprice cremate humdrum jays collegiate unattractive fisher guillotine defrost oils
mainstay fragmentary shriek streamline debit autocrat cantankerous ebony remiss chronic platinum
hobbit sallow grimly pecan apprenticed zincked bungalow dissolute landslid pliant timidly brisk
diocese spacecraft pried propagate villainy rounder primrose bleach ambivalent unanswerable lacy
immigrant earthy dissolve citruses ruder peek joyfully pillowcase insulate whittle hieroglyphic
roguish drowse frostbitten lymphatic curfew maelstrom puppet rainy chromosome turtle auditory
scarcity adjoin abound symphonic bedtime danker holler scruffy enliven furious gull tropical adrift
presumptuous irrigate diaper trashy whys nightmarish recoverable dreamy condolence gunmen alligator
subdivision unfeasible accolade germinate economist franchise tannest chubby tunic revamp monorail
henchmen nuance disallow scarecrow culminate quadruped astray overhaul treachery stub predictor
pacemaker cortex neutron fungi mishap replica gauge stork conjugal wright righter phonetic solder
parishioner hyperbole classy defunct insecticide surf hippopotamus saloon addendum gooey pulley
squire coyote dome perchance eldest incisor guild platitude thoughtless fervent canopy blackbird
clung porpoise expressly downfall sage jars boas inaugural grope activist mutiny chimney countable
befallen aglow dormant sabbatical uphold muzzle apocryphal foyer sculpture retype reprove aloof flit
goddess obese tussle grassy republic defamatory seepage cods stalk peon winsome staider aroma
butcher feted geniuses slit refuel immeasurable fiftieth hypnosis reproach intricacy myopic sleet
cantaloupe graver smattering shaven coerce machete jiggle kosher countenanced dearth disgrace frothy
lads wilder insoluble goodnight afar orator cultivate bridle improper remembrance fuzz anchovy smear
disuse protractor bikini sandmen grit tyrannical watt unmask repose disdain fibs milker banknote
joystick recondition consular solvent elliptic quench scoundrel butchery feint equine innermost taut
exponent lifespan busily heredity unprepared unclean monk pastime perennial mealy squeak trampoline
payoff shred pickle faraway exodus goblin purred discreet hoof loiter shoal uppermost gooiest
halfway matrimony polytechnic euthanasia concourse barley digress clad polygamous stupefy unearth
bookkeeper ornament peal metallurgy bassoon unfurl aquarium watertight unmarried gall ostensible
trowel gamut pomegranate motorcycle underflow voracious trough donkey therapeutic pumpernickel juicy
silk cloudburst falsity patron catcall candidacy hairline upheaval scar halon vertebrate astride
patchy distillery sandbag rotor vibrant parentage decidedly muse mattress transfusion adhesion
innuendo forgone chimp crook untrained buoy comestible swipe treadmill rotunda incumbent cheery
gravitate fonder khaki rectal ungainly subprogram clench folklore drugged spectacle terrier leafy
measles barn groundless chilly nonflammable admittance greet reshuffle dreamer cellophane inmate
laurel hemisphere treble replicate mausoleum grouchy peps reprisal callow megaton outdone abduct
wily blancmange raindrop caramel skillet frilly knives callous jigs ballroom topology clatter ounce
malleable handshake airmail naval joyously letdown overdose restlessly spun nigh dauntless chalky
berry disquiet disinherit stuffy pews snooty oversight trio scrabble twelfth pigeonhole indiscreet
viability generosity paralytic washroom hews outwit groove bugle meddler impel woodchuck meteorology
statute canny brow homestead gunner evidenced makeup ragtime slack shortlist radiant lawsuit croquet
republican prey placid cackle zips suburban harpoon bandy moist monotony wavelength whoa brilliance
workmanship apex gingerly trod rendezvous miscellany wager lemonade maria propel smudge matriarch
vicarious mover fondly runt seesaw wane inbuilt interweave abbot zucchini reverie mothball snooze
pluses quartz demure woks inquest entrench archipelago plop cavalry deport filament rile exterior
interwove scourge recant noblewomen appease hammock garrison reunite spectra displace durable
stadium pebble coral unicorn balcony infertile peep gaseous printable bemoan strainer chassis swell
wicker stubble counterfeit antifreeze overland minuet chowder pagan loony quarantine plead masterly
abreast foretaste gees mitigate ecstatic vulgar orthodontist yaks spree raster perfume plunger
misjudge envious oases elicit kangaroo bookworm denser fatalistic carol crafty isthmuses sweeter
gimme regurgitate hobgoblin venison slapstick grub streak plentifully dame parka recompile squeaky
talc docile cognac ford toaster oust piteous schoolboy bakery conducive courser quainter fatherhood
thrift mall adorn guzzle disburse unfaithful vividly foretell displeasure infest underwear pats
dribble miller statesman cinnamon entwine trench forbear nationalist sheepish ecologist scram
macabre beetle influenza pillage snob recap tariff peach listless incorrigible sacrilegious perch
subjugate intangible washable indefinable crispy harmonic jackdaw ripen swab mettle lozenge menace
booth imperfectly godmother vivisection aberration lukewarm jackpot tumble girlhood cranium
boundless replete bladder jitters soothe nutrition ghostly geological ache debonair voluptuous
fetter hoodwink maternal pantie runny hunk midwives spaghetti snide tuxedo streetcar toughen vitamin
unreservedly snuffer unscrupulous goblet yeses firmer circus tremor harmfully hamlet paraplegic
snugger icier clothespin fulcrum collaborate euphemism blockage thorn spellbound chisel stroller
residue dysentery pewter unruffled pastor rueful lame limber gauntlet emerald extradite encase
revolve possessor mink exult fling fiesta partaken littler subdue feline piteously stew luminous
stratum loyalty tangle dismount sneeze meticulous coyer teammate flamboyantly escalate bourgeoisie
consolidate rote patchwork whirl rebirth nobleman pansies nightingale ravage relic scary cleric ouch
weaver fireside incision pocketbook waxed eras ethos opal roughhouse unfasten stopover pueblo
mediate hopper sorcerer smartly inflammable lush workbook panicked slap drool preparatory collision
stubby brainstorm august facet blacker cane fliest calligraphy daub turret hereabouts emancipate
amphetamine gaunt poultry clairvoyant slummer derail gargle clipboard maniac settlement cascade
province treasury acquiesce tango fertile affidavit jaundice xylophone kitchenette hoax bead
undoubted outshine sager forsook guiltless grape crisscross outpost modal allergy resale lapse
keener swarm electrician pucker lemme outdistanced wispy lentil presidential upbeat laden
metropolitan satirist logarithm plied clamber mingle overshot intensify skinny incessant auction
makeshift gallery inward gruesome saddle cherish puffy lure llama hurl stoppage battleship balm
bronco amphibious mull boulevard masculine captive deception inkling warmly slay evasion tantrum
telltale soar stopper pistachio hilly seer fuselage juster wholehearted cypress moisture underpants
greenback geologist aplomb empress handsome harpsichord brackish condiment fatherly loft spank
thriller vats embody hare gasket china drainage inns fore surge crayfish gallant hamstring cervical
martin feather spokespeople conifer outmoded toil sardine gobble depreciate easel plateau moot
huskily disambiguate canal insufferable dandelion pretext uninformed truce blindingly keyhole
pumpkin defraud aperture cuisine dentistry woof dissent staler gloat blond sanctify subtract befell
godsend embassy daze arks undercut oversaw inhospitable lobotomy scarves lizard histogram prom
tactlessly jackknives spectator venom uproot braggart chivalrous yell redder bankruptcy guarantor
spherical taxable solitaire subs burial fretfully cherubim husky indoctrinate eczema circuses
starchy gorilla gracious almighty misty seclusion yonder hangar haughtily saleswoman gore disapprove
reload potter bootleg wrinkle revelry haughty cyanide swampy teacup temporal lastly tarnish truism
restive celestial rookie monotonous primly renown pseudonym foregone childbirth declension prefab
vagrant commando imitate forswear accredit iodine endow mandolin underhanded batsman gradient
crescent grabber disincentive prick bows outlaw palm indifferent cheerfully theatrical frontier
jostle lusher headmaster facetious waveform tureen jaywalk understate pegs rejoice humanitarian waif
humidify cipher unfailing combustion goodwill squelch headlight screwdriver metabolic monolithic
hairdo fearless skyrocket enviously palpable greenhouse downcast ministerial inbreed sari mastermind
undershirt vampire phenomenal aggregate epsilon barge testable pennant dolphin snip horseradish wags
elapse dully blinker pots wither prickle ringleader trellis pelt dastardly invoice hood unconcerned
slosh sweetheart joyous handedness hiatus banish filly derision zigzag reaper impatient crane
casserole usher sputter wees paralyses wallpaper breather meridian insurgent magenta instability
prudent intercom tarantula fastidious nocturnal confiscate proton bullfrog stank inexperience stitch
nobler glorify turbulent downpour sparrow cogent suppler unravel sightless acrid sonnet drench
tumultuous harp disjoint unequal tautology fetid midstream amalgamate clergyman plethora drone
rainstorm haves diminish uninspired dignify sassy fishy subdivide murmur resuscitate repugnant
transplant tighter roam flippant wallop candle ails tenuous abhor lags mediocre boast hyena
headquarter powerhouse effervescent toucan noose richly creamy hurtle paperwork quicken daisy sluice
outdoor rattler haunt halo dishearten chaff desolate panicky eastward penmanship payload menstrual
spouse fingerprint acre reappear prune seminary unfeeling cookbook fracture margarine blamer pier
percolate madman calf irrevocable attic nincompoop reparation cleave hoot kingfisher facial
preconceive exorbitant salvage coconut ramp outlast saver belie ostentatious sheave sprawl watchman
conspire chuckle beak municipal chalet matador lesion scoff elation subgroup twister uncut viper
outgrowth innate abhorrent hydroplane tartar tallow naivety parch squatter psychiatry bled unmarked
tabulate rascal goalkeeper laxity telegraph overheat prognosis asphyxiate geed cunningly emir
relinquish electrify rebate nips fellowship workbench bourgeois silt prospectus arrears cruiser
enviable mound snowstorm convalesce trophy dimmer cons riotous scythe firearm escort hydraulic
thatch golfer bluegrass rodeo octagon clef impasse bungle treason diphthong mangrove problematic
vane racer voucher titillate tether patty hump ensign sensuous gulp sleazy flashy pineapple bleed
warmer parser enrich knead sweeten boos scribble jealousy fitter concave dissension calibrate
expatriate binomial monsoon nymph proliferate bough afloat awoke prude dismantle withheld modular
unrestricted alto ramification caws garment stump hoop shopkeeper minuses exonerate ruthlessly
retaliate middlemen convene lily torpedo disservice tabernacle slunk syrup papyrus testify bigamy
reactive panhandle semifinal pulpit physician wizened accede spay squat cart airborne supremacy
trapezoid plumper oceanography slobber conjure austere auspicious collector cheerfuller zest grouch
loam sodium playwright gyms skid frostbit blackhead craftsman specious gnaw shore appliance rawer
hindrance mars frigid gripe ladybug invocation helplessly stiffen vernacular girder gangster dunno
legume subsidy rhapsody tardy timeless shield workmen fright fetuses wintertime grove oodles clown
meeker ashore yeast sprint morose tormentor canoe kennel tenser cooker intermission adjunct hunter
encroach overs cymbal plagiarist handrail salon pyre baggy allusion absurdly flunky southward affirm
zipper certify hobble grandeur flaunt crow melancholy canvased grocery deign utmost construe gravy
bloodthirsty outgrown fleeter flee barbiturate robin huffed testimony fizzle parasol marcher broach
sherry wield afield launder inadmissible extrovert bereave reprint orifice trombone optician minnow
indistinct depict bootee immerse nursery methodology pinker lair raspberry exhort noes virtuous
sponge natty amusingly stinger vacant bologna theta kipper reciprocal underwater inopportune blander
upholster drumstick rouse sheaf knighthood tide idler irrefutable thong mare jawbone kneed
undergarment hereafter saner multitude confederacy smoky quotient lavish coronary udder pine blogger
canvas prophesy masochist horseplay moisten lullaby freshman gallantry contagious brawl metropolis
hind waterfront destiny anxiously crag macho pallid arraign thud bachelor loll valueless reinforce
hillbilly glamour blackjack hinder footage delinquent boisterous inanimate weirder sultry puffed
drawl illustrious highland beaker frigate aura pantry finch shack roller firmware piecework swagger
prow mallard shabbily interracial misquote unprovoked suitcase cluck perfunctory chef genus
hailstone impede kayak amps summit brochure hunch mossy thunderstorm uninitiated apartheid canine
panorama roommate speedboat detonate discourteous anchor relentlessly fetus remit tawdry projector
vermin inedible asbestos varsity wingers subsist enclosure aviator sociable mailmen stupor energetic
malnutrition deacon auxiliary literacy tabloid shutter westerly posy cosmonaut floral encrypted rays
quintessence statuses barer innocuous consonant abstain bait kimono phraseology hydrant tags yowl
unthinkable garland newton prologue courteous hipper corpulent snuffed portfolio hart antagonist
ratify pollen admonish lighthouse peacock patriarch crockery amoral indignant sociologist latitude
sips mackerel hypotheses dandy penitentiary wedge ratification sagebrush outpatient dynamite stater
exhume mesh brace groom galley unbroken whirred maudlin elude gastric morphology unwarranted shark
bullfight barber slyly aquatic harvest tomboy roes rightfully mire triangular cartwheel lefter
inexplicable stepladder mumps decrepit auto refurbish nomenclature spook diction pugnacious strode
beautify bonuses spinach gardenia wounder uptake swoop fixture cougar kilogram thesaurus dross
proletarian licorices tepid immaculate thrash onuses hallway infirm jugular tempo penniless carrion
infamy cuff passageway dandruff firemen sunbathe blouse melodic voluminous manicurist tester steeple
marijuana gigs impoverish forswore matronly nonstandard cauliflower blackberry afterthought feebler
curt storehouse flawless underdog easterly shrank softer briskly crinkle polka changeable backtrack
pertinent morgue pockmark gladiator undress umpire hunchback preen interlude tensors impound
tangerine gander misnomer clutch ebbed acquit nits allegorical obtuse lowdown larceny beagle offbeat
caterpillar uncanny workplace thrice weedy noxious conveyance milestone unethical tattoo strenuous
sluggish stingy breakwater waitress raven brim wanton afflict leniency exile disconsolate plaza
traverse preamble keynote unsatisfied marrow brassy lantern copiously inapplicable exasperate foible
melon phlegm roulette neurologist shrill trill discredit eleventh workman irresistible crosser
sacrament bewitch buddy embrace fragrant sawdust jubilant ambition jubilee rustler epilepsy rocker
plank bookshelf sandy bleary sewn undisturbed merchandise salve lubricant spaniel deject thermostat
coincidental hems quaint sway ambulance infuse frond comrade barefoot shawl panda backfire geld
footwear apter dugout circumflex graceless leaden registrar jumpy revere shear beech javelin tendril
erasure thoughtfully olfactory headphone nonviolence funnily bestow brew vaster whizzed preacher
menstruate ablaze disqualify battlefield demagogue sidewalk cartography southeastern resumption
trapper commiserate debris aspen lampoon carat sophistry cots bedrock alloy hitchhike goad bedder
perjury lime doer mincemeat theologian logician wickedly shroud lyre erupt chiropractor pungent
peacemaker peppermint toga navy untruer flusher rake governess voyage distantly yardstick cloister
brandy artillery wheelbarrow comedian philanthropy dispel gloriously jewelries coupon figment puke
pamphlet imperil humbler upstart bustle adultery chiefly omnipresent psych maddest shrubbery webs
momentary hamstringing matchless dualism stubborn starboard chatter shirk acne deciduous heron
carcass overblown fern sleigh caribou pigtail anomalous sensor roomy acrylic seasick awhile
handiwork tentacle inasmuch quadrant spearhead swindle elves weakling vulture earner brazen porous
softly irradiate academy magician bile surveyor cabin allude turmoil masticate treacle forcefully
effeminate violet skyscraper cleaver ampersand errs miscarry horseman memo chieftain ales barometer
gadget decapitate flurry buffet chronology microbiology snatch mindlessly naps turkey effusive
ruminate plummet soluble wrestler welder reclamation cellulose plying obstinacy cape bellboy gems
lengthen wringer daises lavender unleash befall straggle duplex nomad juggler starfish ballast
existential slick skit portly tighten griddle goatee feign tributary coercion pall fester flea
midriff precocious alphanumeric tusk bowler fumigate musk artichoke northeast suck malpractice siren
swift crises procure dent businessman sadist vest sodden gamble contractor covert lilac interpose
gully calorie affluence feast monosyllable illiteracy destroyer glider nutty fauna eardrum bulbous
beverage elms loaf straighter emissary bellhop readjust seashore germ mischievous peck wrongdoing
straitjacket avenue wastage adulthood affable evangelism paltry birthplace canister strife showy
eclectic nobility untiring tribal vial acquittal signify stalwart koala corollary captor linearly
rodent pretzel realism extort loot armament uprising brook whitewash personify siphon tract citrus
architect nurture magpie tamper turban botany perturb outlandish audacious shun shampoo aptest romp
restructure gape ankle abstinence stagnant overdrawn misbehave solitary engross tremble straggler
chide rosy hustler deaden foamy median clout edgy cove altruism wince forerunner misadventure hiccup
seedling itinerary archery madcap foundry underwritten grindstone abrasive prophecy tenant internet
confederate vanity comradeship uteri drinkable gobs distributor sonata rebuffed jibe contraband burp
descent congress hive fortify nostril grudge crimson partake soda sparer splurge streamer outbound
onerous abrupt etch brawn amulet newt cobalt poncho graft mellow stifle contagion sirloin osmosis
dung cord annihilate bigamous muster magnesium crustacean affront nutrient blindfold maim bodice
ruby skate stanza vexation keystone sleeker penitent jabber crouch hedge biographer sandstorm gawky
scoffed motlier polo stretcher benign drape ransack silversmith jets porridge vogue motorist piracy
refrigerate ember sanitary disingenuous stopgap odes fickle coalition firecracker undeserved
interchange ayes notebook seaport coma rambler upstream manhandle hubs emphatic deviant amiable
tweed nays spry militia droll wink primeval kelp milder connoisseur bloc silken whiten backgammon
relaid roast steeper cradle necrophilia staple stauncher worsen repel meekly camaraderie electrode
uninhibited bland alley forefather majesty anatomical fruitless thinker reel lupine offshoot
studentship martyr floss leash pups noblemen twitter suckle stenographer uptown lute sovereignty
booty throwback therapist woodsman grower ledge pollster beneficiary mahogany smitten stellar
penance crepe superhuman indomitable missionary earmark hallelujah claptrap depot emperor blameless
rags laundry playfully meringue drinker rehearse stimuli heroism termly goon astound divisor
countryman begs mutate aerodynamic blinder abscess patrol edgewise grievance ravine healthcare
salute clergymen retry duct douse scalpel proffer taciturn theorist scatterbrain prelude trillion
unfold precipice deliverance blockbuster homier parish flagrantly claret jute contort hefty finicky
aisle relativistic overcoat nostalgic stringy recoil overdid shipment rapture dweller overshadow
flagpole jettison chirp remunerate rediscover colder magistrate pneumonia lotion eject disfigure
hilt frolicked seamstress dams ninth oscillate virtuoso hoodlum comeback gibber rally pierce avenge
mermaid spearmint daybreak typographic burlap wand gummy broader tarter huff overhang soloist
inveterate lectern unoriginal wonderland succulent oratory belly diagnose racetrack forestry epithet
magnolia libertarian fritter powdery sharpen furnace tattle slither microsecond hepatitis botanist
phosphor scaffold rogue possum ravel fixation hubbub obsolescent pliable harmlessly nonpartisan
peeve pulsate kindred unkind slacker rune summon snobbish bravo antibiotic feller heavenly burro
velvet dopiest sandstone disclose gums toffee homonym looser sling faintly peat delectable slovenly
crank unearthly ninety enigmatic bluff slat faultless ketchup loafer mousy waterlogged stratagem
hangout placard monetary ringlet ladle feminine chasten dilate wagon suffrage dissuade surpluses
desist cleverly sculptor yoga tetanus paramount townspeople manor rehash pies undermine underside
moister orchard topography flirt dissatisfy dues cedar cautiously helm landlady fireproof riser
igloo pneumatic wist waterfall flasher fowl intoxicate pail craftsmen stilted squadron dude presto
buttery tinder befit protrusion despondent ascension rainwater rosary spokesperson disarmament
mouthpiece boyfriend beset timid hover diplomata courtroom raze rosemary vengeance oxen giddy shovel
icebreaker villain addressee liken primp scuff searchlight hearse bolster retrograde chariot
crevasse chameleon dilute gavel armadillo spitefuller stockholder blab mayhem triumphant weaker
puffer undamaged pander cringe cacao introvert gingerbread turnip manacle inlaid evict lexicon
kilowatt mongoose pelvic stapler packer banquet snugly grinder prattle rasher profoundly haze
veterinarian dividend apparel minibus volleyball beady camel matchbook canary amputate homemade mite
bloodhound unproven vertebra rheumatism impropriety aboveboard teas forebode youngster upholstery
nugget latch ordain bran sill afterlives paperweight stopwatch trellised insolvent sixtieth beheld
impetuses yank getaway knacker fray flamboyant rook elongate wheres torrent foothill bittersweet
vise tendon consortium disparate jangle countdown libretto intrigue meteor arbitrate carnal crabby
glint foray rummest mandible hims meek orphan uplift pleasantry hungrily camouflage molar lanky
sunup shaggy womb scorpion cartographer pentagon clitoris insatiable knoll swindler misfit racy
relegate scuffle kite foundling precarious oblique aborigine accentuate antic insolent pastry
conqueror putrid unreal globe weep necessitate pitcher applaud syringe builder buxom foreground
gymnast omnipotent haggle lifeforms flak deodorant barbarian actuary aqueduct provincial cornflakes
unheard cello mallet gooier setter subnormal insipid teat junta onslaught foliage cadence spatula
afresh pushover buds southeast artery squeamish pertain gyroscope dachshund nudge mistrust platter
reimburse bloodshot charismatic cerebral gazetted prop lull aristocracy thermometer exalt guessable
egalitarian lard rhubarb windpipe morsel musty canker germicide loaves elucidate adjourn stealthy
lumberjack quilt boastfully dynasty fiercer whew unanswered merger pixie ungrateful viciously
blizzard heal assessor levy cabaret cordon snap oppressor outgrew emission profundity flannel
inoffensive brunette puck ascent graven platoon staunchly unprincipled hove lifelike volcanic gait
wardrobe duke rotary hums fortieth crate blacken overseen inadequacy crusade spider tempestuous
tortilla finalist immobile bride
"""

WORDS: tuple[str, ...] = tuple(_RANKED.split())
